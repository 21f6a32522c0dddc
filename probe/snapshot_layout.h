// Where each source lives under a root (DESIGN.md "Snapshot format"); the
// live host is root "/". Paths are relative so `root / path` works for both.
#pragma once

#include <array>

namespace sevd::probe::snapshot {

inline constexpr const char* kCpuid = "cpuid"; // `cpuid -r -1` text (snapshot only)
inline constexpr const char* kMeminfo = "proc/meminfo";
inline constexpr const char* kSelfLimits = "proc/self/limits"; // sevd extension: memlock
inline constexpr const char* kKvmAmdParameters = "sys/module/kvm_amd/parameters";
inline constexpr std::array<const char*, 3> kKvmAmdParameterNames = {"sev", "sev_es", "sev_snp"};
// misc cgroup: the cgroup v2 root first, then a v1 "misc" hierarchy, then the
// v2 mount of a hybrid layout. `sevd capture` always writes the first form.
inline constexpr std::array<const char*, 3> kMiscCgroupDirs = {
    "sys/fs/cgroup", "sys/fs/cgroup/misc", "sys/fs/cgroup/unified"};
inline constexpr const char* kMiscCapacity = "misc.capacity";
// cgroup v2 lists cgroup.type in every cgroup but the root: its presence at
// sys/fs/cgroup means a cgroup namespace (sevd extension in snapshots).
inline constexpr const char* kCgroupTypeFile = "sys/fs/cgroup/cgroup.type";
inline constexpr const char* kMiscCurrent = "misc.current";
inline constexpr const char* kDevSev = "dev/sev";
inline constexpr const char* kDevKvm = "dev/kvm"; // sevd extension: present iff /dev/kvm
inline constexpr const char* kPlatformStatus = "sev/platform-status";
inline constexpr const char* kSnpPlatformStatus = "sev/snp-platform-status";
inline constexpr const char* kDomainCapabilities = "libvirt/domcapabilities.xml";
inline constexpr const char* kLibvirtState = "libvirt/state.json"; // libvirt_state.h

} // namespace sevd::probe::snapshot
