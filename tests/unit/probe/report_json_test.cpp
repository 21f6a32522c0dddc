// The JSON object of DESIGN.md: every required key with its type.
#include <gtest/gtest.h>

#include "fixture_report.h"
#include "probe/report_json.h"

namespace sevd::probe {
namespace {

using nlohmann::json;

void expect_keys(const json& object,
                 std::initializer_list<std::pair<const char*, json::value_t>> keys) {
    for (const auto& [key, type] : keys) {
        ASSERT_TRUE(object.contains(key)) << key << " in " << object.dump();
        auto actual = object.at(key).type();
        // nlohmann stores non-negative ints as number_unsigned.
        if (actual == json::value_t::number_unsigned)
            actual = json::value_t::number_integer;
        EXPECT_EQ(actual, type) << key;
    }
}

// Issue 13: running encrypted domains sevd did not launch are listed.
TEST(ReportJson, ForeignGuestsAreListedWithTheirModel) {
    auto report = testing::report_for("rome-split-asids");
    report.libvirt.foreign_guests = {{"other-tool", EncryptionModel::SevEs}};
    const auto j = report_to_json(report);
    EXPECT_EQ(j["libvirt"]["foreign_guests"],
              json::parse(R"([{"name": "other-tool", "model": "amd-sev-es"}])"));
}

TEST(ReportJson, RequiredKeysAndTypes) {
    const auto j = report_to_json(testing::report_for("rome-split-asids"));
    using T = json::value_t;
    expect_keys(j, {{"ready", T::boolean},
                    {"models", T::array},
                    {"traits", T::array},
                    {"cpu", T::object},
                    {"kernel", T::object},
                    {"firmware", T::object},
                    {"libvirt", T::object},
                    {"slots", T::object},
                    {"checks", T::array}});
    expect_keys(j["cpu"], {{"vendor", T::string},
                           {"brand", T::string},
                           {"hypervisor", T::boolean},
                           {"sme", T::boolean},
                           {"sev", T::boolean},
                           {"sev_es", T::boolean},
                           {"sev_snp", T::boolean},
                           {"cbitpos", T::number_integer},
                           {"reduced_phys_bits", T::number_integer},
                           {"vmpls", T::number_integer},
                           {"max_asid", T::number_integer},
                           {"min_sev_asid", T::number_integer}});
    expect_keys(j["kernel"],
                {{"sev", T::boolean}, {"sev_es", T::boolean}, {"sev_snp", T::boolean}});
    expect_keys(j["firmware"], {{"present", T::boolean},
                                {"api_major", T::number_integer},
                                {"api_minor", T::number_integer},
                                {"build", T::number_integer},
                                {"state", T::string},
                                {"guest_count", T::number_integer}});
    expect_keys(j["libvirt"], {{"available", T::boolean},
                               {"sev", T::boolean},
                               {"cbitpos", T::number_integer},
                               {"reduced_phys_bits", T::number_integer},
                               {"max_guests", T::number_integer},
                               {"max_es_guests", T::number_integer},
                               {"foreign_guests", T::array}});
    for (const auto* model : {"amd-sev", "amd-sev-es", "amd-sev-snp"})
        expect_keys(j["slots"][model], {{"total", T::number_integer}, {"used", T::number_integer}});
    // Issue 15's additions.
    expect_keys(j["libvirt"], {{"version", T::number_integer}, {"sev_snp", T::boolean}});
    expect_keys(j["kernel"], {{"misc_capacity_hidden", T::boolean}});
    for (const auto& check : j["checks"])
        expect_keys(check, {{"id", T::string},
                            {"status", T::string},
                            {"message", T::string},
                            {"hint", T::string}});
}

TEST(ReportJson, Values) {
    const auto j = report_to_json(testing::report_for("rome-split-asids"));
    EXPECT_EQ(j["ready"], true);
    EXPECT_EQ(j["models"], json({"amd-sev", "amd-sev-es"}));
    EXPECT_EQ(j["traits"], json({"HW_CPU_X86_AMD_SEV", "HW_CPU_X86_AMD_SEV_ES"}));
    EXPECT_EQ(j["slots"]["amd-sev"], json({{"total", 410}, {"used", 3}}));
    EXPECT_EQ(j["slots"]["amd-sev-es"], json({{"total", 99}, {"used", 1}}));
    EXPECT_EQ(j["firmware"]["state"], "working");
    EXPECT_EQ(j["cpu"]["min_sev_asid"], 100);
    EXPECT_EQ(j["libvirt"]["max_guests"], 410);
    EXPECT_EQ(j["memory"]["total_bytes"], 263842124ull * 1024);
}

TEST(ReportJson, UnknownStateIsNullAndStatusNames) {
    const auto j = report_to_json(testing::report_for("rome-fw-status-absent"));
    EXPECT_TRUE(j["firmware"]["state"].is_null());
    EXPECT_EQ(check_status_name(CheckStatus::Pass), "pass");
    EXPECT_EQ(check_status_name(CheckStatus::Warn), "warn");
    EXPECT_EQ(check_status_name(CheckStatus::Fail), "fail");
    EXPECT_EQ(check_status_name(CheckStatus::Skip), "skip");
    for (const auto& check : j["checks"])
        EXPECT_TRUE(check["status"] == "pass" || check["status"] == "warn" ||
                    check["status"] == "fail" || check["status"] == "skip");
}

TEST(ReportJson, NotReadyHasEmptyArrays) {
    const auto j = report_to_json(testing::report_for("cloud-vm-epyc"));
    EXPECT_EQ(j["ready"], false);
    EXPECT_EQ(j["models"], json::array());
    EXPECT_EQ(j["traits"], json::array());
}

} // namespace
} // namespace sevd::probe
