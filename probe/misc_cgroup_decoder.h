// Decoder for the misc cgroup's `misc.capacity` / `misc.current` (pure).
// Lines are "<resource> <count>"; the kernel lists only non-zero resources,
// so a key absent from a file that exists means 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::probe {

struct MiscCounts {
    uint32_t sev = 0;    // key "sev"
    uint32_t sev_es = 0; // key "sev_es"
    bool operator==(const MiscCounts&) const = default;
};

struct MiscCountsParse {
    std::optional<MiscCounts> counts;
    std::string error; // set when counts is nullopt: names the line
};

// Unknown resources (e.g. "tdx") are skipped; a malformed line or a count
// that is not a 32-bit number is an error.
MiscCountsParse decode_misc_counts(std::string_view text);

} // namespace sevd::probe
