#include "cgroups/limit_plan.h"

#include <array>
#include <cstdio>

#include "common/size_units.h"

namespace sevd::cgroups {

uint64_t round_down_to_page(uint64_t bytes, uint64_t page_size) {
    if (page_size == 0)
        return bytes;
    return bytes / page_size * page_size;
}

std::string human_bytes(uint64_t bytes) {
    constexpr std::array<const char*, 5> kUnits{"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < kUnits.size()) {
        value /= 1024.0;
        ++unit;
    }
    std::array<char, 32> text{};
    const bool whole = value == static_cast<double>(static_cast<uint64_t>(value));
    std::snprintf(text.data(), text.size(), whole ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
    return text.data();
}

LimitPlan plan_limit(uint64_t mem_total_bytes, uint64_t reserved_mb, uint64_t page_size,
                     uint64_t locked_guest_bytes, const std::string& reserve_origin) {
    LimitPlan plan;
    plan.mem_total_bytes = mem_total_bytes;
    // The config parser caps the MiB so this fits; a caller that does not is refused.
    const auto reserved = mib_to_bytes(reserved_mb);
    const bool overflow = !reserved;
    plan.reserved_bytes = reserved.value_or(0);
    const uint64_t mem_total_mib = mem_total_bytes / kMiB;
    if (overflow || plan.reserved_bytes >= mem_total_bytes) {
        plan.refusal = reserve_origin + " = " + std::to_string(reserved_mb) +
                       " MiB is not below MemTotal (" + std::to_string(mem_total_mib) + " MiB)";
        plan.hint = "set reserved_host_memory_mb below " + std::to_string(mem_total_mib) +
                    ", leaving the VMs the rest";
        return plan;
    }
    plan.limit_bytes = round_down_to_page(mem_total_bytes - plan.reserved_bytes, page_size);
    if (plan.limit_bytes == 0) {
        plan.refusal = reserve_origin + " = " + std::to_string(reserved_mb) +
                       " MiB leaves the VMs less than one page of MemTotal";
        plan.hint = "lower reserved_host_memory_mb";
        return plan;
    }
    if (plan.limit_bytes < locked_guest_bytes) {
        plan.below_running_guests = true;
        plan.refusal = "the computed limit " + human_bytes(plan.limit_bytes) + " is below the " +
                       human_bytes(locked_guest_bytes) +
                       " locked by the SEV guests already running; the old limit stays in force";
        // Guests may lock more than MemTotal (or an unreadable guest counts as
        // everything): then no reserve is low enough.
        plan.hint = locked_guest_bytes >= mem_total_bytes
                        ? "stop SEV guests first (they lock at least MemTotal)"
                        : "lower [memory] reserved_host_memory_mb to at most " +
                              std::to_string((mem_total_bytes - locked_guest_bytes) / kMiB) +
                              " MiB, or stop SEV guests first";
        return plan;
    }
    return plan;
}

} // namespace sevd::cgroups
