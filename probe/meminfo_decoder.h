// Decoder for /proc/meminfo (pure, no I/O). Used by the probe (report
// "memory") and by cgroups/ (machine.slice limit = MemTotal - reserve).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sevd::probe {

struct MemInfo {
    std::optional<uint64_t> total_bytes;     // MemTotal
    std::optional<uint64_t> available_bytes; // MemAvailable (kernel >= 3.14)
    bool operator==(const MemInfo&) const = default;
};

// Decodes the lines "Key:   <number> kB" this decoder knows; other lines are
// ignored. A key whose value is not a number (or overflows) is left unset.
MemInfo decode_meminfo(std::string_view text);

// MemTotal in bytes, or nullopt when the text has no valid MemTotal line.
std::optional<uint64_t> parse_meminfo_total_bytes(std::string_view text);

} // namespace sevd::probe
