// host_properties(): the report → D-Bus value mapping; changed_host_properties():
// exactly the names whose values differ; the a{sv} sections carry the JSON
// report's keys and convert to D-Bus and back; and the property names, types
// and documented keys agree with the interface XML, the source of truth.
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
    r.checks = {{"cpu.vendor", probe::CheckStatus::Pass, "AuthenticAMD", "", {}}};
    return r;
}

TEST(HostProperties, MapsReportToDbusValues) {
    const auto p = host_properties(rome_like_report());
    EXPECT_TRUE(p.ready);
    EXPECT_EQ(p.models, (std::vector<std::string>{"amd-sev", "amd-sev-es"}));
    EXPECT_EQ(p.traits, (std::vector<std::string>{"HW_CPU_X86_AMD_SEV", "HW_CPU_X86_AMD_SEV_ES"}));
    EXPECT_EQ(p.sev_slots, UintPair(410, 3));
    EXPECT_EQ(p.sev_es_slots, UintPair(99, 1));
    EXPECT_EQ(p.cpu["brand"], "AMD EPYC 7742 64-Core Processor");
    EXPECT_EQ(p.cpu["sev_es"], true);
    EXPECT_EQ(p.cpu["cbitpos"], 47u);
    EXPECT_EQ(p.cpu["min_sev_asid"], 100u);
    EXPECT_EQ(p.kernel["module_loaded"], true);
    EXPECT_EQ(p.kernel["sev_snp"], false);
    EXPECT_EQ(p.firmware["api_major"], 1u);
    EXPECT_EQ(p.firmware["api_minor"], 51u);
    EXPECT_EQ(p.firmware["state"], "uninit");
    EXPECT_EQ(p.libvirt["max_guests"], 410u);
    EXPECT_EQ(p.libvirt["max_es_guests"], 0u); // not reported → 0
    EXPECT_EQ(p.mem_total, 64ull << 30);
}

// An unknown value (JSON null) is left out of the a{sv}, not sent as "" or 0.
TEST(HostProperties, UnknownFirmwareStateIsLeftOut) {
    auto r = rome_like_report();
    r.firmware.state.reset();
    const auto section = section_to_dbus(host_properties(r).firmware);
    EXPECT_EQ(section.count("state"), 0u);
    EXPECT_EQ(section.count("snp"), 0u); // no SNP status read
    EXPECT_EQ(section.at("api_minor").get<uint32_t>(), 51u);
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
    after.cpu["vmpls"] = 4u;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Cpu"});
    after = before;
    after.kernel["sev_snp"] = true;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Kernel"});
    after = before;
    after.firmware["guest_count"] = 2u;
    EXPECT_EQ(changed_host_properties(before, after), std::vector<std::string>{"Firmware"});
    after = before;
    after.libvirt["max_es_guests"] = 99u;
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

// A report with every section's keys present (SNP status read).
probe::HostReport snp_report() {
    auto r = rome_like_report();
    r.firmware.snp =
        probe::SnpFirmwareReport{1,  55, probe::FirmwareState::Init, true,
                                 31, 0,  0xdb19000000000004ull,      0xdb19000000000004ull};
    r.sev_snp_slots = {254, 0};
    return r;
}

// Each key keeps its name, its D-Bus type and its value, and comes back.
TEST(HostProperties, SectionsRoundTripKeyByKey) {
    const auto p = host_properties(snp_report());
    for (const auto* section : {&p.cpu, &p.kernel, &p.firmware, &p.libvirt})
        EXPECT_EQ(section_from_dbus(section_to_dbus(*section)), *section) << section->dump();
    const auto cpu = section_to_dbus(p.cpu);
    EXPECT_EQ(cpu.at("brand").peekValueType(), "s");
    EXPECT_EQ(cpu.at("sev_es").peekValueType(), "b");
    EXPECT_EQ(cpu.at("min_sev_asid").peekValueType(), "u");
    const auto firmware = section_to_dbus(p.firmware);
    EXPECT_EQ(firmware.at("snp").peekValueType(), "a{sv}");
    const auto snp = firmware.at("snp").get<Section>();
    EXPECT_EQ(snp.at("current_tcb").peekValueType(), "t");
    EXPECT_EQ(snp.at("current_tcb").get<uint64_t>(), 0xdb19000000000004ull);
}

TEST(HostProperties, SectionOfAnUnsupportedValueThrows) {
    EXPECT_THROW(section_to_dbus(nlohmann::json{{"list", {1, 2}}}), std::invalid_argument);
    EXPECT_THROW(section_to_dbus(nlohmann::json{{"big", 1ull << 40}}), std::invalid_argument);
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

// The sections are a{sv} in the XML, and its DocString names every key the
// report carries ("key t" for each key and its D-Bus type).
std::map<std::string, std::string> xml_docs() {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_file(SEVD_SOURCE_DIR "/dbus/org.sevd.Host1.xml"));
    std::map<std::string, std::string> docs;
    for (auto prop : doc.select_nodes("/node/interface[@name='org.sevd.Host1']/property"))
        docs[prop.node().attribute("name").value()] =
            prop.node().child("annotation").attribute("value").value();
    return docs;
}

void expect_documented(const std::string& doc, const Section& section) {
    for (const auto& [key, value] : section) {
        const auto type = value.peekValueType();
        EXPECT_NE(doc.find(key + " " + type), std::string::npos)
            << "'" << key << " " << type << "' is not documented in: " << doc;
        if (type == "a{sv}")
            expect_documented(doc, value.get<Section>());
    }
}

TEST(HostProperties, SectionsAreDictionariesWithEveryKeyDocumented) {
    const auto xml = xml_properties();
    const auto docs = xml_docs();
    const auto p = host_properties(snp_report());
    const std::map<std::string, const nlohmann::json*> sections = {
        {"Cpu", &p.cpu}, {"Kernel", &p.kernel}, {"Firmware", &p.firmware}, {"Libvirt", &p.libvirt}};
    for (const auto& [name, json] : sections) {
        EXPECT_EQ(xml.at(name), "a{sv}");
        expect_documented(docs.at(name), section_to_dbus(*json));
    }
}

// The six properties DESIGN.md names keep their names and types.
TEST(HostProperties, DesignContractPropertiesKeepTheirTypes) {
    const auto xml = xml_properties();
    EXPECT_EQ(xml.at("Ready"), "b");
    EXPECT_EQ(xml.at("Models"), "as");
    EXPECT_EQ(xml.at("Traits"), "as");
    EXPECT_EQ(xml.at("SevSlots"), "(uu)");
    EXPECT_EQ(xml.at("SevEsSlots"), "(uu)");
    EXPECT_EQ(xml.at("SevSnpSlots"), "(uu)");
    EXPECT_EQ(xml.at("Hypervisor"), "b");
}

// Every property of the XML is compared (and nothing else): a report where
// every value differs from the default changes every name exactly once.
TEST(HostProperties, ComparesExactlyTheXmlProperties) {
    HostProperties a;
    HostProperties b = host_properties(snp_report());
    b.hypervisor = true;
    const auto changed = changed_host_properties(a, b);
    const std::set<std::string> changed_set(changed.begin(), changed.end());
    EXPECT_EQ(changed.size(), changed_set.size()) << "a name is listed twice";
    EXPECT_EQ(changed_set, xml_property_names());
}

} // namespace
} // namespace sevd::dbus
