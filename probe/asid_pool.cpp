#include "probe/asid_pool.h"

#include "common/text.h"
#include "probe/domcaps_decoder.h"

namespace sevd::probe {

std::optional<EncryptionModel> asid_pool(std::string_view launch_security_type,
                                         std::string_view policy_text) {
    if (launch_security_type == "sev-snp")
        return EncryptionModel::SevEs;
    if (launch_security_type != "sev")
        return std::nullopt;
    const auto policy = parse_hex_u32(trim(policy_text));
    return policy && (*policy & kSevPolicyEsBit) != 0 ? EncryptionModel::SevEs
                                                      : EncryptionModel::Sev;
}

} // namespace sevd::probe
