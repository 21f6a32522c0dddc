#include "cgroups/cgroup_limit_file.h"

#include <cstdint>

#include "common/text.h"

namespace sevd::cgroups {
namespace {

constexpr std::string_view kV1LimitFile = "memory.limit_in_bytes";
constexpr std::string_view kV2LimitFile = "memory.max";
constexpr std::string_view kV2NoLimit = "max";
constexpr std::string_view kV1NoLimit = "-1";

// v1 reports "unlimited" as PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE) pages, in bytes.
uint64_t v1_unlimited_bytes(uint64_t page_size) {
    const uint64_t page = page_size == 0 ? 1 : page_size;
    return static_cast<uint64_t>(INT64_MAX) / page * page;
}

} // namespace

std::string limit_file_name(int cgroup_version) {
    return std::string(cgroup_version == 2 ? kV2LimitFile : kV1LimitFile);
}

std::filesystem::path limit_file_path(const CgroupMount& mount, std::string_view cgroup) {
    return mount.root / cgroup / limit_file_name(mount.version);
}

std::string format_limit(int cgroup_version, uint64_t limit_bytes) {
    if (limit_bytes == 0)
        return std::string(cgroup_version == 2 ? kV2NoLimit : kV1NoLimit);
    return std::to_string(limit_bytes);
}

std::optional<uint64_t> parse_limit(int cgroup_version, std::string_view text, uint64_t page_size) {
    text = trim(text);
    if (cgroup_version == 2 && text == kV2NoLimit)
        return 0;
    const auto value = parse_u64(text);
    if (!value)
        return std::nullopt;
    if (cgroup_version == 1 && *value >= v1_unlimited_bytes(page_size))
        return 0;
    return value;
}

} // namespace sevd::cgroups
