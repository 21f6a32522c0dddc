// sevdctl status prints the daemon's Describe() with the probe's renderer:
// the fields it prints survive report_to_json → report_from_json unchanged.
#include <gtest/gtest.h>

#include "dbus/report_from_json.h"
#include "probe/report_json.h"

namespace sevd::dbus {
namespace {

TEST(ReportFromJson, PrintedFieldsRoundTrip) {
    probe::HostReport r;
    r.ready = true;
    r.models = {EncryptionModel::Sev};
    r.sev_slots = {410, 3};
    r.sev_es_slots = {0, 0};
    r.checks = {{"kernel.sev_es",
                 probe::CheckStatus::Warn,
                 "kvm_amd.sev_es is off",
                 "set kvm_amd.sev_es=1",
                 {}},
                {"cpu.vendor", probe::CheckStatus::Pass, "AuthenticAMD", "", {}}};
    const auto back = report_from_json(probe::report_to_json(r).dump());
    EXPECT_EQ(back.ready, r.ready);
    EXPECT_EQ(back.models, r.models);
    EXPECT_EQ(back.sev_slots, r.sev_slots);
    EXPECT_EQ(back.sev_es_slots, r.sev_es_slots);
    EXPECT_EQ(back.checks, r.checks);
}

TEST(ReportFromJson, NotAReportNamesTheProblem) {
    try {
        report_from_json(R"({"ready": true})");
        FAIL() << "accepted a JSON without models";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("models"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace sevd::dbus
