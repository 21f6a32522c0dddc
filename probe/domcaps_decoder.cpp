#include "probe/domcaps_decoder.h"

#include <pugixml.hpp>

#include "common/text.h"
#include "probe/asid_pool.h"

namespace sevd::probe {
namespace {

// Reads <name>N</name> under parent; absent -> nullopt, present but not a
// number -> error text set.
std::optional<uint32_t> child_number(const pugi::xml_node& parent, const char* name,
                                     std::string& error) {
    const auto node = parent.child(name);
    if (!node)
        return std::nullopt;
    const auto value = parse_u64(trim(node.text().as_string()));
    if (!value || *value > UINT32_MAX) {
        error = std::string("<") + name + "> is not a number: '" + node.text().as_string() + "'";
        return std::nullopt;
    }
    return static_cast<uint32_t>(*value);
}

bool load(pugi::xml_document& doc, std::string_view xml, std::string& error) {
    const auto result = doc.load_buffer(xml.data(), xml.size());
    if (result)
        return true;
    error = std::string("malformed XML at offset ") + std::to_string(result.offset) + ": " +
            result.description();
    return false;
}

// <launchSecurity supported='yes'><enum name='sectype'><value>sev-snp</value>...
void read_launch_security_types(const pugi::xml_node& node, DomainCapsSev& sev) {
    if (!node)
        return;
    sev.launch_security_listed = true;
    if (std::string_view(node.attribute("supported").as_string()) != "yes")
        return;
    for (auto item : node.children("enum")) {
        if (std::string_view(item.attribute("name").as_string()) != "sectype")
            continue;
        for (auto value : item.children("value"))
            if (trim(value.text().as_string()) == "sev-snp")
                sev.sev_snp = true;
    }
}

} // namespace

DomainCapsParse decode_domain_caps_sev(std::string_view xml) {
    pugi::xml_document doc;
    std::string error;
    if (!load(doc, xml, error))
        return {std::nullopt, error};
    const auto root = doc.child("domainCapabilities");
    if (!root)
        return {std::nullopt, "root element is not <domainCapabilities>"};

    DomainCapsSev sev;
    read_launch_security_types(root.child("features").child("launchSecurity"), sev);
    const auto node = root.child("features").child("sev");
    if (!node)
        return {sev, {}};
    sev.element_present = true;
    sev.supported = std::string_view(node.attribute("supported").as_string()) == "yes";
    if (!sev.supported)
        return {sev, {}};
    sev.cbitpos = child_number(node, "cbitpos", error);
    sev.reduced_phys_bits = child_number(node, "reducedPhysBits", error);
    sev.max_guests = child_number(node, "maxGuests", error);
    sev.max_es_guests = child_number(node, "maxESGuests", error);
    if (!error.empty())
        return {std::nullopt, error};
    return {sev, {}};
}

LaunchSecurityKind launch_security_kind(const DomainFacts& facts) {
    if (!facts.has_launch_security)
        return LaunchSecurityKind::None;
    if (!facts.pool)
        return LaunchSecurityKind::Other;
    return *facts.pool == EncryptionModel::SevEs ? LaunchSecurityKind::SevEs
                                                 : LaunchSecurityKind::Sev;
}

LaunchSecurityKind decode_launch_security(std::string_view domain_xml) {
    const auto facts = parse_domain_facts(domain_xml);
    return facts ? launch_security_kind(*facts) : LaunchSecurityKind::None;
}

} // namespace sevd::probe
