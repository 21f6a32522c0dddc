// Where the memory controller is mounted, read from /proc/self/mounts the way
// libcgroup's cgroup_init() finds it: a cgroup v1 mount whose options name
// "memory", else a cgroup2 mount whose cgroup.controllers lists "memory".
// Reading it without libcgroup matters to the daemon: cgroup_init() zeroes
// libcgroup's large mount table, memory the process then keeps for life,
// and the daemon reads the limit far more often than it writes it (a write
// still goes through libcgroup, which must agree on the mount).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "cgroups/cgroup_limit_file.h"

namespace sevd::cgroups {

// PURE but for `lists_memory`, which says whether a cgroup2 mount point's
// cgroup.controllers lists memory. nullopt when no mount holds it.
std::optional<CgroupMount>
memory_hierarchy_from_mounts(std::string_view proc_mounts,
                             const std::function<bool(const std::filesystem::path&)>& lists_memory);

// The live host's (/proc/self/mounts). Throws TuneError Io when the memory
// controller is not mounted.
CgroupMount find_memory_hierarchy();

// Checks that `mount` holds the memory controller: v2 lists it in
// cgroup.controllers, v1 has memory.limit_in_bytes. Throws TuneError Io naming
// what is missing.
void require_memory_controller(const CgroupMount& mount);

// Whether the space-separated words of `words` include `word`. Pure.
bool lists_word(std::string_view words, std::string_view word);

} // namespace sevd::cgroups
