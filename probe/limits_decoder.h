// Decoder for /proc/self/limits (pure): the "Max locked memory" row, which
// bounds how much guest memory a process may pin (SEV guests pin all of it).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sevd::probe {

struct MemlockLimit {
    std::optional<uint64_t> soft_bytes; // nullopt = unlimited
    std::optional<uint64_t> hard_bytes; // nullopt = unlimited
    bool operator==(const MemlockLimit&) const = default;
};

// nullopt when the row is missing or malformed.
std::optional<MemlockLimit> decode_memlock_limit(std::string_view limits_text);

} // namespace sevd::probe
