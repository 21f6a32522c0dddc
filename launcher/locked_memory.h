// Locked memory of one encrypted guest: its RAM plus the per-guest overhead
// (firmware, ROM, ACPI regions), in bytes. Pure; overflow-checked.
#pragma once

#include <cstdint>
#include <optional>

namespace sevd::launcher {

// nullopt when (memory_mib + overhead_mib) MiB does not fit 64 bits (request
// and config bounds keep sevd's own guests far below; a foreign domain's
// XML may say anything).
constexpr std::optional<uint64_t> locked_bytes(uint64_t memory_mib, uint64_t overhead_mib) {
    constexpr uint64_t kMiB = 1024 * 1024;
    uint64_t mib = 0;
    uint64_t bytes = 0;
    if (__builtin_add_overflow(memory_mib, overhead_mib, &mib) ||
        __builtin_mul_overflow(mib, kMiB, &bytes))
        return std::nullopt;
    return bytes;
}

static_assert(locked_bytes(1024, 16) == uint64_t{1040} * 1024 * 1024);
static_assert(!locked_bytes(UINT64_MAX / (1024 * 1024), 16));
static_assert(!locked_bytes(UINT64_MAX, 1));

} // namespace sevd::launcher
