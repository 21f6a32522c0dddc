// host_properties(): the report → D-Bus value mapping; changed_host_properties():
// exactly the names whose values differ; and the property list agrees with the
// interface XML, the source of truth.
#include <set>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "dbus/host_properties.h"

namespace sevd::dbus {
namespace {

probe::HostReport rome_like_report() {
    probe::HostReport r;
    r.ready = true;
    r.models = {EncryptionModel::Sev, EncryptionModel::SevEs};
    r.cpu.vendor = "AuthenticAMD";
    r.cpu.brand = "AMD EPYC 7742 64-Core Processor";
    r.cpu.sev = true;
    r.cpu.sev_es = true;
    r.cpu.cbitpos = 47;
    r.cpu.reduced_phys_bits = 5;
    r.cpu.max_asid = 509;
    r.cpu.min_sev_asid = 100;
    r.kernel = {true, true, true, false};
    r.firmware.present = true;
    r.firmware.api_major = 1;
    r.firmware.api_minor = 51;
    r.firmware.build = 3;
    r.firmware.state = probe::FirmwareState::Uninit;
    r.sev_slots = {410, 3};
    r.sev_es_slots = {99, 1};
    r.libvirt.max_guests = 410;
    r.mem_total_bytes = 64ull << 30;
    r.checks = {{"cpu.vendor", probe::CheckStatus::Pass, "AuthenticAMD", ""}};
    return r;
}

TEST(HostProperties, MapsReportToDbusValues) {
    const auto p = host_properties(rome_like_report());
    EXPECT_TRUE(p.ready);
    EXPECT_EQ(p.models, (std::vector<std::string>{"amd-sev", "amd-sev-es"}));
    EXPECT_EQ(p.traits, (std::vector<std::string>{"HW_CPU_X86_AMD_SEV", "HW_CPU_X86_AMD_SEV_ES"}));
    EXPECT_EQ(p.sev_slots, UintPair(410, 3));
    EXPECT_EQ(p.sev_es_slots, UintPair(99, 1));
    EXPECT_EQ(p.firmware_api_version, UintPair(1, 51));
    EXPECT_EQ(p.firmware_state, "uninit");
    EXPECT_EQ(p.libvirt_max_guests, 410u);
    EXPECT_EQ(p.libvirt_max_es_guests, 0u); // not reported → 0
    EXPECT_EQ(p.mem_total, 64ull << 30);
}

TEST(HostProperties, UnknownFirmwareStateIsEmpty) {
    auto r = rome_like_report();
    r.firmware.state.reset();
    EXPECT_EQ(host_properties(r).firmware_state, "");
}

TEST(HostProperties, SameReportChangesNothing) {
    const auto p = host_properties(rome_like_report());
    EXPECT_TRUE(changed_host_properties(p, p).empty());
}

TEST(HostProperties, OneUsedSlotMoreChangesOnlySevSlots) {
    auto r = rome_like_report();
    const auto before = host_properties(r);
    r.sev_slots.used = 4;
    EXPECT_EQ(changed_host_properties(before, host_properties(r)),
              std::vector<std::string>{"SevSlots"});
}

TEST(HostProperties, LosingSevEsChangesModelsTraitsAndSlots) {
    auto r = rome_like_report();
    const auto before = host_properties(r);
    r.models = {EncryptionModel::Sev};
    r.kernel.sev_es = false;
    r.sev_es_slots = {0, 0};
    EXPECT_EQ(changed_host_properties(before, host_properties(r)),
              (std::vector<std::string>{"Models", "Traits", "SevEsSlots", "KernelSevEs"}));
}

std::set<std::string> xml_property_names() {
    pugi::xml_document doc;
    const auto loaded = doc.load_file(SEVD_SOURCE_DIR "/dbus/org.sevd.Host1.xml");
    EXPECT_TRUE(loaded) << loaded.description();
    std::set<std::string> names;
    for (auto prop : doc.select_nodes("/node/interface[@name='org.sevd.Host1']/property"))
        names.insert(prop.node().attribute("name").value());
    return names;
}

// Every property of the XML is compared (and nothing else): a report where
// every value differs from the default changes every name exactly once.
TEST(HostProperties, ComparesExactlyTheXmlProperties) {
    HostProperties a;
    HostProperties b = host_properties(rome_like_report());
    b.hypervisor = true;
    b.cpu_sme = true;
    b.cpu_sev_snp = true;
    b.vmpls = 4;
    b.kernel_sev_snp = true;
    b.firmware_guest_count = 2;
    b.libvirt_available = true;
    b.libvirt_sev = true;
    b.libvirt_cbit_position = 47;
    b.libvirt_reduced_phys_bits = 1;
    b.libvirt_max_es_guests = 99;
    const auto changed = changed_host_properties(a, b);
    const std::set<std::string> changed_set(changed.begin(), changed.end());
    EXPECT_EQ(changed.size(), changed_set.size()) << "a name is listed twice";
    EXPECT_EQ(changed_set, xml_property_names());
}

} // namespace
} // namespace sevd::dbus
