// SEV guest policy bits (AMD SEV API spec, "Guest Policy"), named once.
#pragma once

#include <cstdint>

#include "probe/encryption_model.h"

namespace sevd::launcher {

inline constexpr uint32_t kPolicyNoDebug = 1u << 0;      // NODBG: no debug access to the guest
inline constexpr uint32_t kPolicyNoKeySharing = 1u << 1; // NOKS: no key sharing with other guests
inline constexpr uint32_t kPolicyEs = 1u << 2;           // ES: SEV-ES required (encrypted state)
inline constexpr uint32_t kPolicyDomain = 1u << 4;       // DOMAIN: migrate only within the domain
inline constexpr uint32_t kPolicySev = 1u << 5;          // SEV: migrate only to SEV platforms

// 0x0033 for SEV, 0x0037 for SEV-ES.
constexpr uint32_t policy_for(EncryptionModel model) {
    uint32_t policy = kPolicyNoDebug | kPolicyNoKeySharing | kPolicyDomain | kPolicySev;
    if (model == EncryptionModel::SevEs)
        policy |= kPolicyEs;
    return policy;
}

static_assert(policy_for(EncryptionModel::Sev) == 0x0033);
static_assert(policy_for(EncryptionModel::SevEs) == 0x0037);

} // namespace sevd::launcher
