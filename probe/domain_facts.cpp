#include "probe/domain_facts.h"

#include "common/text.h"
#include "probe/asid_pool.h"
#include "probe/domain_mark.h"
#include "probe/domain_memory.h"

namespace sevd::probe {

DomainFacts domain_facts(const pugi::xml_node& domain) {
    DomainFacts facts;
    facts.name = domain.child_value("name");
    facts.uuid = domain.child_value("uuid");
    const auto security = domain.child("launchSecurity");
    const std::string_view policy = security.child_value("policy");
    facts.has_launch_security = static_cast<bool>(security);
    facts.pool = asid_pool(security.attribute("type").as_string(), policy);
    facts.policy = parse_hex_u32(trim(policy)).value_or(0);
    const auto memory = domain.child("memory");
    facts.memory_bytes =
        domain_memory_bytes(memory.attribute("unit").as_string(), memory.child_value());
    const auto mark = sevd_mark(domain);
    facts.launched_by_sevd = static_cast<bool>(mark);
    facts.attestation_pending =
        mark.attribute(std::string(kAttestationAttribute).c_str()).as_string() ==
        kAttestationPending;
    return facts;
}

std::optional<DomainFacts> parse_domain_facts(std::string_view domain_xml) {
    pugi::xml_document doc;
    if (!doc.load_buffer(domain_xml.data(), domain_xml.size()))
        return std::nullopt;
    const auto domain = doc.child("domain");
    if (!domain)
        return std::nullopt;
    return domain_facts(domain);
}

} // namespace sevd::probe
