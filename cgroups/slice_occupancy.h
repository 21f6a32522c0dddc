// Whether any process lives in machine.slice (or below it).
//
// `sevd tune` asks libvirt for the SEV guests already running only when the
// slice might hold one: the limit constrains only the processes in the slice,
// so an empty slice has no guest to protect. At boot this matters twice:
// sevd-tune.service runs before libvirt's daemons, so asking libvirt there
// would socket-activate virtqemud, whose start waits for sevd-tune (a boot
// deadlock); and loading libvirt.so would cost most of the command's time.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace sevd::cgroups {

enum class SliceOccupancy {
    Empty,   // the directory is absent or no process lives in it or below it
    InUse,   // at least one process does
    Unknown, // a control file could not be read: assume guests may be running
};

const char* to_string(SliceOccupancy occupancy);

// The "populated" line of a cgroup v2 `cgroup.events` file. Pure.
std::optional<bool> parse_populated(std::string_view cgroup_events);

// Reads `slice_dir` of a mounted hierarchy that tracks every process
// (cgroup v2, or a v1 hierarchy such as memory or systemd's): cgroup.events
// when present (v2), else cgroup.procs of the directory and every descendant.
SliceOccupancy read_slice_occupancy(const std::filesystem::path& slice_dir);

} // namespace sevd::cgroups
