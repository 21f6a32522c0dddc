// The two encrypted-guest models sevd launches, and their one set of names.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sevd {

enum class EncryptionModel { Sev, SevEs };

inline constexpr std::array<EncryptionModel, 2> kAllModels = {EncryptionModel::Sev,
                                                              EncryptionModel::SevEs};

// Name used in requests, the JSON report and on D-Bus ("amd-sev", "amd-sev-es").
constexpr std::string_view model_name(EncryptionModel m) {
    return m == EncryptionModel::Sev ? "amd-sev" : "amd-sev-es";
}

// Scheduler trait name (os-traits vocabulary).
constexpr std::string_view model_trait(EncryptionModel m) {
    return m == EncryptionModel::Sev ? "HW_CPU_X86_AMD_SEV" : "HW_CPU_X86_AMD_SEV_ES";
}

constexpr std::optional<EncryptionModel> model_from_name(std::string_view name) {
    for (auto m : kAllModels)
        if (model_name(m) == name)
            return m;
    return std::nullopt;
}

} // namespace sevd
