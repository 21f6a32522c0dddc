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

// SEV-SNP guest policy (SNP firmware ABI, "Guest Policy"; a different
// layout): bit 16 SMT allowed, bit 17 reserved and must be 1, debug (bit 19)
// off. 0x00030000 is libvirt's and Nova's default.
inline constexpr uint32_t kSnpPolicySmt = 1u << 16;
inline constexpr uint32_t kSnpPolicyReservedOne = 1u << 17;
inline constexpr uint32_t kSnpPolicy = kSnpPolicySmt | kSnpPolicyReservedOne;

// 0x0033 for SEV, 0x0037 for SEV-ES, 0x00030000 for SEV-SNP.
constexpr uint32_t policy_for(EncryptionModel model) {
    if (model == EncryptionModel::SevSnp)
        return kSnpPolicy;
    uint32_t policy = kPolicyNoDebug | kPolicyNoKeySharing | kPolicyDomain | kPolicySev;
    if (model == EncryptionModel::SevEs)
        policy |= kPolicyEs;
    return policy;
}

static_assert(policy_for(EncryptionModel::Sev) == 0x0033);
static_assert(policy_for(EncryptionModel::SevEs) == 0x0037);
static_assert(policy_for(EncryptionModel::SevSnp) == 0x00030000);

} // namespace sevd::launcher
