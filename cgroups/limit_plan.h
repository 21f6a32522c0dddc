// The machine.slice limit arithmetic and its refusal rules. Pure: plain values
// in, a plain verdict out; no I/O.
#pragma once

#include <cstdint>
#include <string>

#include "common/size_units.h"

namespace sevd::cgroups {

struct LimitPlan {
    uint64_t mem_total_bytes = 0;
    uint64_t reserved_bytes = 0;
    uint64_t limit_bytes = 0;          // MemTotal - reserve, rounded down to a whole page
    std::string refusal;               // empty when the limit may be applied
    std::string hint;                  // what to change when refused
    bool below_running_guests = false; // refused because of the guests' locked memory
    bool ok() const { return refusal.empty(); }
};

// The kernel stores a memory limit as a page count, rounding a byte value down
// (page_counter_memparse, both cgroup v1 and v2); we round the same way so the
// value read back equals the value computed.
uint64_t round_down_to_page(uint64_t bytes, uint64_t page_size);

// limit = MemTotal - reserved_mb MiB. Refused when the reserve is not below
// MemTotal (or leaves less than a page), or when the limit would be below the
// memory already locked by running SEV guests. `reserve_origin` names where
// the reserve came from ("FILE:LINE: [memory] reserved_host_memory_mb").
LimitPlan plan_limit(uint64_t mem_total_bytes, uint64_t reserved_mb, uint64_t page_size,
                     uint64_t locked_guest_bytes, const std::string& reserve_origin);

// "19.5 GiB", "512 MiB", "4 KiB", "17 B": for messages only.
std::string human_bytes(uint64_t bytes);

} // namespace sevd::cgroups
