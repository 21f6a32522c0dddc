#include "cgroups/slice_occupancy.h"

#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

// A guard against walking a pathological tree: a host with more cgroups than
// this below machine.slice is reported Unknown (libvirt is asked).
constexpr int kMaxCgroupsWalked = 4096;

std::optional<std::string> read_whole(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// cgroup v1: cgroup.procs of the directory and of each descendant.
SliceOccupancy walk_procs(const fs::path& slice_dir) {
    std::error_code ec;
    fs::recursive_directory_iterator it(slice_dir, ec), end;
    if (ec)
        return SliceOccupancy::Unknown;
    int walked = 0;
    for (fs::path dir = slice_dir;; ++it) {
        if (++walked > kMaxCgroupsWalked)
            return SliceOccupancy::Unknown;
        const auto procs = read_whole(dir / "cgroup.procs");
        if (!procs)
            return SliceOccupancy::Unknown;
        if (!procs->empty())
            return SliceOccupancy::InUse;
        // Advance to the next child cgroup (control files are not directories).
        while (it != end && !it->is_directory(ec))
            it.increment(ec);
        if (ec)
            return SliceOccupancy::Unknown;
        if (it == end)
            return SliceOccupancy::Empty;
        dir = it->path();
    }
}

} // namespace

const char* to_string(SliceOccupancy occupancy) {
    switch (occupancy) {
    case SliceOccupancy::Empty:
        return "empty";
    case SliceOccupancy::InUse:
        return "in use";
    case SliceOccupancy::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::optional<bool> parse_populated(std::string_view cgroup_events) {
    constexpr std::string_view kKey = "populated ";
    size_t line_start = 0;
    while (line_start < cgroup_events.size()) {
        size_t line_end = cgroup_events.find('\n', line_start);
        if (line_end == std::string_view::npos)
            line_end = cgroup_events.size();
        const auto line = cgroup_events.substr(line_start, line_end - line_start);
        if (line == "populated 0")
            return false;
        if (line == "populated 1")
            return true;
        if (line.starts_with(kKey))
            return std::nullopt;
        line_start = line_end + 1;
    }
    return std::nullopt;
}

SliceOccupancy read_slice_occupancy(const fs::path& slice_dir) {
    std::error_code ec;
    if (!fs::exists(slice_dir, ec))
        return ec ? SliceOccupancy::Unknown : SliceOccupancy::Empty;
    if (const auto events = read_whole(slice_dir / "cgroup.events")) {
        const auto populated = parse_populated(*events);
        if (!populated)
            return SliceOccupancy::Unknown;
        return *populated ? SliceOccupancy::InUse : SliceOccupancy::Empty;
    }
    return walk_procs(slice_dir);
}

} // namespace sevd::cgroups
