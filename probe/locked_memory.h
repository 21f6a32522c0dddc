// Locked memory of one encrypted guest: its RAM plus the per-guest overhead
// (firmware, ROM, ACPI regions), in bytes: the one formula the launcher
// (admission) and cgroups (the limit's floor) share. Pure; overflow-checked.
#pragma once

#include <cstdint>
#include <optional>

#include "common/size_units.h"

namespace sevd::probe {

// nullopt when the sum does not fit 64 bits (request and config bounds keep
// sevd's own guests far below; a foreign domain's XML may say anything).
constexpr std::optional<uint64_t> locked_bytes(uint64_t ram_bytes, uint64_t overhead_mib) {
    const auto overhead = mib_to_bytes(overhead_mib);
    uint64_t sum = 0;
    if (!overhead || __builtin_add_overflow(ram_bytes, *overhead, &sum))
        return std::nullopt;
    return sum;
}

// The same for RAM given in MiB (requests, sevd's own domains).
constexpr std::optional<uint64_t> locked_bytes_of_mib(uint64_t memory_mib, uint64_t overhead_mib) {
    const auto ram = mib_to_bytes(memory_mib);
    return ram ? locked_bytes(*ram, overhead_mib) : std::nullopt;
}

static_assert(locked_bytes_of_mib(1024, 16) == uint64_t{1040} * kMiB);
static_assert(!locked_bytes_of_mib(UINT64_MAX / kMiB, 16));
static_assert(!locked_bytes_of_mib(UINT64_MAX, 1));
static_assert(!locked_bytes(UINT64_MAX - 1, 16));

} // namespace sevd::probe
