// libvirt/state.json: written by `sevd capture`, read back by --root.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probe/libvirt_state.h"

namespace sevd::probe {
namespace {

using ::testing::HasSubstr;

LibvirtFacts connected_facts() {
    LibvirtFacts facts;
    facts.uri = "qemu:///system";
    facts.connected = true;
    facts.version = 9000000;
    RunningEncryptedGuests running;
    running.sev = 1;
    running.sev_es = 1;
    // "web" carries sevd's mark; "db" was started by someone else.
    running.guests = {{"web", EncryptionModel::Sev, true}, {"db", EncryptionModel::SevEs, false}};
    facts.running.value = running;
    return facts;
}

TEST(LibvirtState, RoundTripsWhatTheProbeSaw) {
    const auto facts = connected_facts();
    const auto parsed = parse_libvirt_state(format_libvirt_state(facts));
    ASSERT_TRUE(parsed.facts) << parsed.error;
    EXPECT_EQ(parsed.facts->uri, "qemu:///system");
    EXPECT_TRUE(parsed.facts->connected);
    EXPECT_EQ(parsed.facts->version, 9000000u);
    EXPECT_EQ(parsed.facts->running, facts.running);
    EXPECT_EQ(parsed.domcaps_error, "");
}

TEST(LibvirtState, KeepsTheConnectError) {
    LibvirtFacts facts;
    facts.uri = "qemu:///system";
    facts.connect_error = "Failed to connect socket";
    const auto parsed = parse_libvirt_state(format_libvirt_state(facts));
    ASSERT_TRUE(parsed.facts) << parsed.error;
    EXPECT_FALSE(parsed.facts->connected);
    EXPECT_EQ(parsed.facts->connect_error, "Failed to connect socket");
    EXPECT_FALSE(parsed.facts->version.has_value());
    EXPECT_FALSE(parsed.facts->running.value.has_value());
}

TEST(LibvirtState, DesignFormatWithoutExtensionsReads) {
    const auto parsed = parse_libvirt_state(
        R"({"uri": "qemu:///system", "connected": true, "error": "", "version": 10005000,
            "running_encrypted": [{"name": "a", "pool": "amd-sev"},
                                  {"name": "b", "pool": "amd-sev-es"},
                                  {"name": "c", "pool": "amd-sev-es"}]})");
    ASSERT_TRUE(parsed.facts) << parsed.error;
    EXPECT_EQ(parsed.facts->running.value->sev, 1u);
    EXPECT_EQ(parsed.facts->running.value->sev_es, 2u);
    // Without the mark recorded, no guest is taken for sevd's.
    for (const auto& guest : parsed.facts->running.value->guests)
        EXPECT_FALSE(guest.launched_by_sevd) << guest.name;
}

TEST(LibvirtState, AnSnpGuestHoldsAnEsAsid) {
    const auto parsed = parse_libvirt_state(
        R"({"uri": "u", "connected": true, "error": "", "version": null,
            "running_encrypted": [{"name": "s", "pool": "amd-sev-snp"}]})");
    ASSERT_TRUE(parsed.facts) << parsed.error;
    EXPECT_EQ(parsed.facts->running.value->sev_es, 1u);
    EXPECT_EQ(parsed.facts->running.value->guests.at(0).pool, EncryptionModel::SevEs);
}

TEST(LibvirtState, RefusesWhatItCannotRead) {
    EXPECT_THAT(parse_libvirt_state("{").error, HasSubstr("not valid JSON"));
    EXPECT_THAT(parse_libvirt_state("[]").error, HasSubstr("not a JSON object"));
    EXPECT_THAT(parse_libvirt_state(R"({"uri": "u", "error": ""})").error,
                HasSubstr("\"connected\""));
    EXPECT_THAT(parse_libvirt_state(R"({"uri": "u", "connected": true, "error": "",
                                        "running_encrypted": [{"name": "x", "pool": "tdx"}]})")
                    .error,
                HasSubstr("unknown pool"));
    EXPECT_THAT(parse_libvirt_state(R"({"uri": 1, "connected": true, "error": ""})").error,
                HasSubstr("\"uri\" has the wrong type"));
}

} // namespace
} // namespace sevd::probe
