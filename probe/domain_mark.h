// sevd's mark on the domains it launches (a <metadata> element in its own
// namespace), and what the probe reports about running encrypted domains
// without it: guests started by another tool, which count against the ASID
// pools and the memory limit like sevd's but are never stopped by sevd. Pure.
#pragma once

#include <optional>
#include <string_view>

#include <pugixml.hpp>

#include "probe/domain_facts.h"
#include "probe/host_report.h"

namespace sevd::probe {

// XML namespace and element of the <metadata> mark (written by the launcher's
// domain XML builder, read back here).
inline constexpr std::string_view kSevdMetadataNamespace = "urn:sevd:guest:1";
inline constexpr std::string_view kSevdMetadataElement = "sevd:guest";

// The mark's `attestation` attribute on a guest launched for attestation:
// pending while it waits paused for its owner, resumed once it may run (set
// before it is resumed, so a daemon restarting in between never expires a
// guest that may have run).
inline constexpr std::string_view kAttestationAttribute = "attestation";
inline constexpr std::string_view kAttestationPending = "pending";
inline constexpr std::string_view kAttestationResumed = "resumed";

// The mark of <domain>; an empty node when it carries none.
pugi::xml_node sevd_mark(const pugi::xml_node& domain);
// Whether <domain> carries the mark.
bool has_sevd_mark(const pugi::xml_node& domain);

// The domain when it holds an ASID (asid_pool) and carries no sevd mark;
// nullopt for sevd's or an unencrypted one.
std::optional<ForeignDomain> foreign_domain(const DomainFacts& facts);

} // namespace sevd::probe
