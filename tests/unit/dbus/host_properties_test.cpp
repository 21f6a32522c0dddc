// host_properties(): the report → D-Bus value mapping; changed_host_properties():
// exactly the names whose values differ; the struct-typed properties convert
// to D-Bus and back field by field; and the property names and types agree
// with the interface XML, the source of truth.
#include <map>
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
    EXPECT_EQ(p.cpu.brand, "AMD EPYC 7742 64-Core Processor");
    EXPECT_TRUE(p.cpu.sev_es);
    EXPECT_EQ(p.cpu.cbitpos, 47u);
    EXPECT_EQ(p.cpu.min_sev_asid, 100u);
    EXPECT_EQ(p.kernel, (KernelProperty{true, true, true, false}));
    EXPECT_EQ(p.firmware.api_major, 1u);
    EXPECT_EQ(p.firmware.api_minor, 51u);
    EXPECT_EQ(p.firmware.state, "uninit");
    EXPECT_EQ(p.libvirt.max_guests, 410u);
    EXPECT_EQ(p.libvirt.max_es_guests, 0u); // not reported → 0
    EXPECT_EQ(p.mem_total, 64ull << 30);
}

TEST(HostProperties, UnknownFirmwareStateIsEmpty) {
    auto r = rome_like_report();
    r.firmware.state.reset();
    EXPECT_EQ(host_properties(r).firmware.state, "");
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

// Any single field of a section changes that section's property, and only it.
TEST(HostProperties, OneFieldOfASectionChangesOnlyThatSection) {
    const auto before = host_properties(rome_like_report());
    auto after = before;
    after.cpu.vmpls = 4;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Cpu"});
    after = before;
    after.kernel.sev_snp = true;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Kernel"});
    after = before;
    after.firmware.guest_count = 2;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Firmware"});
    after = before;
    after.libvirt.max_es_guests = 99;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Libvirt"});
}

// A report change touching two sections, and only it.
TEST(HostProperties, LosingSevEsChangesModelsTraitsSlotsAndKernel) {
    auto r = rome_like_report();
    const auto before = host_properties(r);
    r.models = {EncryptionModel::Sev};
    r.kernel.sev_es = false;
    r.sev_es_slots = {0, 0};
    EXPECT_EQ(changed_host_properties(before, host_properties(r)),
              (std::vector<std::string>{"Models", "Traits", "SevEsSlots", "Kernel"}));
}

// Each field goes to its own position of the D-Bus struct and comes back.
TEST(HostProperties, SectionStructsRoundTripFieldByField) {
    const CpuProperty cpu{"AuthenticAMD", "EPYC", true, true, true, false, 47, 5, 4, 509, 100};
    EXPECT_EQ(cpu_from_dbus(to_dbus(cpu)), cpu);
    EXPECT_EQ(std::get<1>(to_dbus(cpu)), "EPYC");
    EXPECT_EQ(std::get<10>(to_dbus(cpu)), 100u); // min_sev_asid is last
    const KernelProperty kernel{true, false, true, false};
    EXPECT_EQ(kernel_from_dbus(to_dbus(kernel)), kernel);
    const FirmwareProperty firmware{true, 1, 51, 3, "working", 2};
    EXPECT_EQ(firmware_from_dbus(to_dbus(firmware)), firmware);
    EXPECT_EQ(std::get<4>(to_dbus(firmware)), "working");
    const LibvirtProperty libvirt{true, true, 47, 1, 410, 99};
    EXPECT_EQ(libvirt_from_dbus(to_dbus(libvirt)), libvirt);
    EXPECT_EQ(std::get<5>(to_dbus(libvirt)), 99u); // max_es_guests is last
}

// name → type signature of every org.sevd.Host1 property in the XML.
std::map<std::string, std::string> xml_properties() {
    pugi::xml_document doc;
    const auto loaded = doc.load_file(SEVD_SOURCE_DIR "/dbus/org.sevd.Host1.xml");
    EXPECT_TRUE(loaded) << loaded.description();
    std::map<std::string, std::string> properties;
    for (auto prop : doc.select_nodes("/node/interface[@name='org.sevd.Host1']/property"))
        properties[prop.node().attribute("name").value()] = prop.node().attribute("type").value();
    return properties;
}

std::set<std::string> xml_property_names() {
    std::set<std::string> names;
    for (const auto& [name, type] : xml_properties())
        names.insert(name);
    return names;
}

// The C++ structs serialise with exactly the signatures the XML declares.
TEST(HostProperties, SectionStructSignaturesMatchTheXml) {
    const auto xml = xml_properties();
    EXPECT_EQ(xml.at("Cpu"), sdbus::signature_of<CpuStruct>::str());
    EXPECT_EQ(xml.at("Kernel"), sdbus::signature_of<KernelStruct>::str());
    EXPECT_EQ(xml.at("Firmware"), sdbus::signature_of<FirmwareStruct>::str());
    EXPECT_EQ(xml.at("Libvirt"), sdbus::signature_of<LibvirtStruct>::str());
}

// The six properties DESIGN.md names keep their names and types.
TEST(HostProperties, DesignContractPropertiesKeepTheirTypes) {
    const auto xml = xml_properties();
    EXPECT_EQ(xml.at("Ready"), "b");
    EXPECT_EQ(xml.at("Models"), "as");
    EXPECT_EQ(xml.at("Traits"), "as");
    EXPECT_EQ(xml.at("SevSlots"), "(uu)");
    EXPECT_EQ(xml.at("SevEsSlots"), "(uu)");
    EXPECT_EQ(xml.at("Hypervisor"), "b");
}

// Every property of the XML is compared (and nothing else): a report where
// every value differs from the default changes every name exactly once.
TEST(HostProperties, ComparesExactlyTheXmlProperties) {
    HostProperties a;
    HostProperties b = host_properties(rome_like_report());
    b.hypervisor = true;
    const auto changed = changed_host_properties(a, b);
    const std::set<std::string> changed_set(changed.begin(), changed.end());
    EXPECT_EQ(changed.size(), changed_set.size()) << "a name is listed twice";
    EXPECT_EQ(changed_set, xml_property_names());
}

} // namespace
} // namespace sevd::dbus
