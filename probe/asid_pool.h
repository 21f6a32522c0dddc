// Which ASID pool a running domain holds, from its <launchSecurity> element:
// the one rule the probe (slots used), cgroups (locked memory of running
// guests) and the launcher (admission) share. Pure.
#pragma once

#include <optional>
#include <string_view>

#include "probe/encryption_model.h"

namespace sevd::probe {

// type 'sev' with guest policy bit 2 (ES) set → the SEV-ES pool, without it →
// the SEV pool; type 'sev-snp' → the SEV-ES pool (the kernel gives SNP guests
// ASIDs from the SEV-ES range 1..min_sev_asid-1); any other type (s390-pv,
// tdx) or none → nullopt, no ASID. `policy_text` is the <policy> element's
// text (hex, "0x0037"); an unreadable policy of an 'sev' domain counts as
// plain SEV (the bit is not known to be set).
std::optional<EncryptionModel> asid_pool(std::string_view launch_security_type,
                                         std::string_view policy_text);

} // namespace sevd::probe
