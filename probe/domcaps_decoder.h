// Decoders for libvirt XML (pure): the <sev> element of domain capabilities
// (`virsh domcapabilities --machine q35`) and the <launchSecurity> element of
// a domain's XML (to count running encrypted guests per model).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probe/domain_facts.h"

namespace sevd::probe {

inline constexpr uint32_t kSevPolicyEsBit = 1u << 2; // guest policy bit 2: SEV-ES

struct DomainCapsSev {
    bool element_present = false; // <features><sev> exists (older libvirt omits it)
    bool supported = false;       // <sev supported='yes'>
    std::optional<unsigned> cbitpos;
    std::optional<unsigned> reduced_phys_bits;
    std::optional<uint32_t> max_guests;    // libvirt >= 8.0
    std::optional<uint32_t> max_es_guests; // libvirt >= 8.0
    // <features><launchSecurity supported='yes'> lists <value>sev-snp</value>
    // in its sectype enum (libvirt >= 10.5 with a QEMU that runs SNP guests).
    bool launch_security_listed = false; // the element exists (libvirt >= 10.5)
    bool sev_snp = false;
    bool operator==(const DomainCapsSev&) const = default;
};

struct DomainCapsParse {
    std::optional<DomainCapsSev> sev;
    std::string error; // malformed XML, wrong root element, or a non-numeric value
};

DomainCapsParse decode_domain_caps_sev(std::string_view xml);

enum class LaunchSecurityKind { None, Sev, SevEs, Other };

// The ASID pool of a domain's <launchSecurity> (asid_pool: 'sev' with policy
// bit 2 and 'sev-snp' -> SevEs, 'sev' without bit 2 -> Sev); another type
// (s390-pv, tdx) -> Other; no element or unparsable XML -> None.
LaunchSecurityKind decode_launch_security(std::string_view domain_xml);
LaunchSecurityKind launch_security_kind(const DomainFacts& facts);

} // namespace sevd::probe
