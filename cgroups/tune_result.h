// What `sevd tune` and the Tuning1 D-Bus object report: the machine.slice
// memory limit before and after, and how the computed limit was derived.
#pragma once

#include <cstdint>
#include <string>

namespace sevd::cgroups {

inline constexpr const char* kSourceSystemd = "systemd";
inline constexpr const char* kSourceCgroupfs = "cgroupfs";

// The memory limit the kernel enforces on the slice, as read back.
struct LimitInForce {
    uint64_t limit_bytes = 0; // 0 = no limit (or no slice yet)
    std::string source;       // kSourceSystemd or kSourceCgroupfs
    int cgroup_version = 0;   // 1 or 2
    std::string path;         // the control file, or "unit machine.slice" for systemd
    bool operator==(const LimitInForce&) const = default;
};

enum class TuneAction {
    Applied,        // the limit was written and read back
    AlreadyInForce, // the computed limit was in force already; nothing written
    DryRun,         // computed only; nothing written
    Refused,        // a rule refused the limit; nothing written
    Failed,         // the write or read-back failed; see `after` for what is in force
};

const char* to_string(TuneAction action); // "applied", "already_in_force", ...

struct TuneResult {
    uint64_t mem_total_bytes = 0;
    uint64_t reserved_bytes = 0;
    std::string reserve_origin; // "FILE:LINE: [memory] reserved_host_memory_mb" or default
    uint64_t computed_limit_bytes = 0;
    uint64_t locked_guest_bytes = 0; // locked memory of the SEV guests already running
    LimitInForce before;
    LimitInForce after;
    TuneAction action = TuneAction::Refused;
    bool changed = false;
    std::string message; // one line: what was done, or why not
    std::string hint;    // on refusal or failure: what to change
};

} // namespace sevd::cgroups
