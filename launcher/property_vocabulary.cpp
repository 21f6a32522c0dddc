#include "launcher/property_vocabulary.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace sevd::launcher::vocabulary {

const std::vector<std::string_view>& accepted_keys() {
    static const std::vector<std::string_view> keys = {
        kFlavorEncryption, kImageEncryption, kFlavorModel, kImageModel,     kFirmwareType,
        kMachineType,      kDiskBus,         kScsiModel,   kFlavorPageSize, kImagePageSize,
        kNumaNodes,        kTraitSev,        kTraitSevEs,  kTraitSevSnp,    kPciPassthrough,
        kDiskFormat,       kNetwork,         kSeed,        kAttestation,    kDhCert,
        kSession};
    return keys;
}

bool is_accepted_key(std::string_view key) {
    const auto& keys = accepted_keys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string accepted_keys_text() {
    std::string text;
    for (auto key : accepted_keys()) {
        if (!text.empty())
            text += ", ";
        text += key;
    }
    return text;
}

std::string to_lower(std::string_view text) {
    std::string lower(text);
    for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

bool parse_bool(std::string_view value) {
    static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "true", "on", "y", "yes"};
    const auto lower = to_lower(value);
    return std::find(kTrue.begin(), kTrue.end(), lower) != kTrue.end();
}

} // namespace sevd::launcher::vocabulary
