// Reads and writes the slice's memory limit directly in the cgroup filesystem:
// memory.limit_in_bytes on v1, memory.max on v2. Writes go through libcgroup
// (creating the slice when absent), reads are plain file reads. For hosts
// where systemd does not manage the slice.
#pragma once

#include <string>

#include "cgroups/cgroup_limit_file.h"
#include "cgroups/limit_backend.h"

namespace sevd::cgroups {

class CgroupfsBackend : public LimitBackend {
public:
    // `mount` must hold the memory controller (checked; throws TuneError Io),
    // and be libcgroup's memory hierarchy (checked at the first write).
    CgroupfsBackend(CgroupMount mount, std::string cgroup, uint64_t page_size);

    LimitInForce read() override;
    void write(uint64_t limit_bytes) override;
    std::string describe_write(uint64_t limit_bytes) const override;

private:
    std::string control_file() const;

    CgroupMount mount_;
    std::string cgroup_;
    uint64_t page_size_;
};

} // namespace sevd::cgroups
