// libcgroup, wrapped once: process-wide initialization, an owning handle for
// `struct cgroup`, error text, and where libcgroup found the memory controller.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libcgroup.h>

#include "cgroups/cgroup_limit_file.h"

namespace sevd::cgroups {

// cgroup_init() once per process (it scans /proc/mounts). Throws TuneError Io.
void ensure_libcgroup_initialized();

struct CgroupFree {
    void operator()(struct cgroup* group) const { cgroup_free(&group); }
};
using CgroupHandle = std::unique_ptr<struct cgroup, CgroupFree>;

// An in-memory cgroup description named `name` (relative to the hierarchy
// root); nothing is created on disk. Throws TuneError Io.
CgroupHandle make_cgroup(std::string_view name);

// cgroup_strerror(rc), with the OS error when libcgroup reports ECGOTHER.
std::string libcgroup_error_text(int rc);

// The hierarchy libcgroup uses for the memory controller; its version comes
// from the filesystem type of the mount. Initializes libcgroup. Throws
// TuneError Io when the memory controller is not mounted.
CgroupMount find_memory_mount();

// Checks that libcgroup writes to `mount` (initializes libcgroup); throws
// TuneError Io naming the hierarchy libcgroup uses instead.
void require_libcgroup_hierarchy(const CgroupMount& mount);

} // namespace sevd::cgroups
