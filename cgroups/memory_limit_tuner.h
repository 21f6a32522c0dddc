// Computes the machine.slice memory limit from the configuration and MemTotal,
// applies it through the right backend, and reads back what is in force. The
// one entry point for `sevd tune` and the Tuning1 D-Bus object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cgroups/cgroup_limit_file.h"
#include "cgroups/limit_backend.h"
#include "cgroups/slice_occupancy.h"
#include "cgroups/tune_result.h"
#include "config/config.h"

namespace sevd::cgroups {

inline constexpr const char* kMachineSlice = "machine.slice";

enum class BackendChoice {
    Auto,     // systemd when it is PID 1 (systemd_manages_slices), else cgroupfs
    Systemd,  // force: SetUnitProperties over the system bus
    Cgroupfs, // force: libcgroup on the memory hierarchy
};

struct TunerOptions {
    BackendChoice backend = BackendChoice::Auto;
    std::filesystem::path root =
        "/"; // root/proc/meminfo, root/run/systemd/system, root/proc/1/comm
    std::optional<CgroupMount> cgroup_mount; // default: libcgroup's memory hierarchy
    std::string slice = kMachineSlice;
    uint64_t page_size = 0; // 0 = the host's page size
};

class MemoryLimitTuner {
public:
    // Chooses and opens the backend. Throws TuneError Io (no memory
    // controller at the mount, no system bus, ...).
    explicit MemoryLimitTuner(TunerOptions options = {});
    ~MemoryLimitTuner();

    // The limit in force now. Throws TuneError Io.
    LimitInForce current();

    // Computes limit = MemTotal - reserve and, unless dry_run, writes it when
    // it differs from what is in force, then reads it back. `locked_guest_bytes`
    // is the locked memory of the SEV guests already running. Returns Applied,
    // AlreadyInForce or DryRun; throws TuneError Refused (nothing written) or
    // Io (result().after says what stays in force).
    TuneResult apply(const config::Config& config, bool dry_run, uint64_t locked_guest_bytes);

    const char* backend_name() const; // kSourceSystemd or kSourceCgroupfs

    // Whether a process (a running guest) lives in the slice, read where the
    // backend's hierarchy shows it.
    SliceOccupancy slice_occupancy() const;

private:
    TuneResult write_and_read_back(TuneResult result);
    LimitInForce read_after_failed_write(const LimitInForce& before);

    TunerOptions options_;
    std::unique_ptr<LimitBackend> backend_;
    const char* backend_name_ = kSourceCgroupfs;
    std::filesystem::path slice_directory_;
};

} // namespace sevd::cgroups
