// The machine.slice memory limit as the daemon publishes it (Tuning1).
#pragma once

#include <cstdint>

namespace sevd::manager {

struct TuningState {
    uint64_t memory_limit = 0;      // bytes in force on machine.slice, 0 = none
    bool memory_limit_known = true; // false: it could not be read (memory_limit is then 0)
    uint64_t reserved_host_memory = 0;
    bool operator==(const TuningState&) const = default;
};

} // namespace sevd::manager
