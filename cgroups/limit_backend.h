// Where the machine.slice limit is read and written: through systemd or
// directly in the cgroup filesystem. Both throw TuneError (Io) on failure.
#pragma once

#include <cstdint>
#include <string>

#include "cgroups/tune_result.h"

namespace sevd::cgroups {

class LimitBackend {
public:
    virtual ~LimitBackend() = default;
    // The limit in force now (limit 0 when there is none or no slice yet).
    virtual LimitInForce read() = 0;
    // Sets the limit; 0 removes it.
    virtual void write(uint64_t limit_bytes) = 0;
    // "write 123 to /sys/fs/cgroup/memory/machine.slice/memory.limit_in_bytes":
    // what write() would do, for messages and --dry-run.
    virtual std::string describe_write(uint64_t limit_bytes) const = 0;
};

} // namespace sevd::cgroups
