// The encrypted-guest models sevd launches, their one set of names, and the
// one ASID pool rule.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sevd {

enum class EncryptionModel { Sev, SevEs, SevSnp };

inline constexpr std::array<EncryptionModel, 3> kAllModels = {
    EncryptionModel::Sev, EncryptionModel::SevEs, EncryptionModel::SevSnp};

// Name used in requests, the JSON report and on D-Bus ("amd-sev", "amd-sev-es",
// "amd-sev-snp", as Nova's hw_mem_encryption_model).
constexpr std::string_view model_name(EncryptionModel m) {
    switch (m) {
    case EncryptionModel::Sev:
        return "amd-sev";
    case EncryptionModel::SevEs:
        return "amd-sev-es";
    case EncryptionModel::SevSnp:
        return "amd-sev-snp";
    }
    return "amd-sev";
}

// Scheduler trait name (os-traits vocabulary).
constexpr std::string_view model_trait(EncryptionModel m) {
    switch (m) {
    case EncryptionModel::Sev:
        return "HW_CPU_X86_AMD_SEV";
    case EncryptionModel::SevEs:
        return "HW_CPU_X86_AMD_SEV_ES";
    case EncryptionModel::SevSnp:
        return "HW_CPU_X86_AMD_SEV_SNP";
    }
    return "HW_CPU_X86_AMD_SEV";
}

constexpr std::optional<EncryptionModel> model_from_name(std::string_view name) {
    for (auto m : kAllModels)
        if (model_name(m) == name)
            return m;
    return std::nullopt;
}

// The ASID pool a model's guests draw from, named by the pool's first model
// (DESIGN.md): plain SEV uses min_sev_asid..max_asid; SEV-ES and SEV-SNP share
// 1..min_sev_asid-1 (the kernel charges both to the misc cgroup's sev_es).
constexpr EncryptionModel asid_pool(EncryptionModel m) {
    return m == EncryptionModel::Sev ? EncryptionModel::Sev : EncryptionModel::SevEs;
}

} // namespace sevd
