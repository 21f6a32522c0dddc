// What sevd reads from a libvirt domain's XML, read in one place for the
// probe (slots used, foreign guests), cgroups (locked memory of running
// guests) and the launcher (admission, its own guests). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "probe/encryption_model.h"

namespace sevd::probe {

struct DomainFacts {
    std::string name;
    std::string uuid;
    bool has_launch_security = false;    // a <launchSecurity> element, of any type
    std::optional<EncryptionModel> pool; // the ASID pool it holds (asid_pool); nullopt: none
    uint32_t policy = 0;                 // <launchSecurity><policy>; 0 when absent or unreadable
    // <memory> in bytes (domain_memory_bytes); nullopt: unreadable, never 0.
    std::optional<uint64_t> memory_bytes;
    bool launched_by_sevd = false;    // carries sevd's mark (domain_mark.h)
    bool attestation_pending = false; // the mark says attestation="pending"
};

// The facts of a <domain> node.
DomainFacts domain_facts(const pugi::xml_node& domain);
// The facts of a domain's XML; nullopt when it does not parse or holds no <domain>.
std::optional<DomainFacts> parse_domain_facts(std::string_view domain_xml);

} // namespace sevd::probe
