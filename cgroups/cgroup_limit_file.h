// The memory-limit control file of cgroup v1 and v2: its name and value
// format. Pure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::cgroups {

// A mounted cgroup hierarchy that holds (or should hold) the memory controller.
struct CgroupMount {
    std::filesystem::path root; // e.g. /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2)
    int version = 1;            // 1 or 2
    bool operator==(const CgroupMount&) const = default;
};

// "memory.limit_in_bytes" on v1, "memory.max" on v2.
std::string limit_file_name(int cgroup_version);

// root/cgroup/<limit file>.
std::filesystem::path limit_file_path(const CgroupMount& mount, std::string_view cgroup);

// What to write for a limit: decimal bytes; no limit (0) is "max" on v2 and
// "-1" on v1 (the kernel's way to reset limit_in_bytes).
std::string format_limit(int cgroup_version, uint64_t limit_bytes);

// Reads the file's content back: 0 for no limit ("max" on v2; on v1 the
// kernel's PAGE_COUNTER_MAX pages, 9223372036854771712 with 4 KiB pages).
// nullopt when the text is neither.
std::optional<uint64_t> parse_limit(int cgroup_version, std::string_view text, uint64_t page_size);

} // namespace sevd::cgroups
