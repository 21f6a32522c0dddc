#include "cgroups/memory_hierarchy.h"

#include <fstream>
#include <sstream>
#include <string>

#include "cgroups/tune_error.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMemoryController = "memory";

// /proc/mounts escapes blanks and the like in paths as octal (\040).
std::string unescape_mount_path(std::string_view field) {
    std::string path;
    for (size_t i = 0; i < field.size(); ++i) {
        const auto digits = field.substr(i + 1, 3);
        if (field[i] == '\\' && digits.size() == 3 &&
            digits.find_first_not_of("01234567") == std::string_view::npos) {
            path += static_cast<char>(((digits[0] - '0') << 6) | ((digits[1] - '0') << 3) |
                                      (digits[2] - '0'));
            i += 3;
            continue;
        }
        path += field[i];
    }
    return path;
}

bool options_name(std::string_view options, std::string_view word) {
    size_t start = 0;
    while (start <= options.size()) {
        const size_t comma = options.find(',', start);
        const auto option = options.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (option == word)
            return true;
        if (comma == std::string_view::npos)
            return false;
        start = comma + 1;
    }
    return false;
}

std::string cgroup2_controllers(const fs::path& mount_point) {
    std::ifstream in(mount_point / "cgroup.controllers");
    std::string controllers;
    std::getline(in, controllers);
    return controllers;
}

bool cgroup2_lists_memory(const fs::path& mount_point) {
    return lists_word(cgroup2_controllers(mount_point), kMemoryController);
}

[[noreturn]] void fail(const std::string& message, const std::string& hint) {
    throw TuneError(TuneError::Kind::Io, message, hint);
}

} // namespace

bool lists_word(std::string_view words, std::string_view word) {
    std::istringstream in{std::string(words)};
    std::string each;
    while (in >> each)
        if (each == word)
            return true;
    return false;
}

std::optional<CgroupMount>
memory_hierarchy_from_mounts(std::string_view proc_mounts,
                             const std::function<bool(const fs::path&)>& lists_memory) {
    std::optional<CgroupMount> cgroup2;
    std::istringstream lines{std::string(proc_mounts)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string device, mount_point, type, options;
        if (!(fields >> device >> mount_point >> type >> options))
            continue;
        const fs::path path = unescape_mount_path(mount_point);
        // v1 first: a controller bound to a v1 hierarchy is not in v2's list.
        if (type == "cgroup" && options_name(options, kMemoryController))
            return CgroupMount{path, 1};
        if (type == "cgroup2" && !cgroup2 && lists_memory(path))
            cgroup2 = CgroupMount{path, 2};
    }
    return cgroup2;
}

void require_memory_controller(const CgroupMount& mount) {
    if (mount.version == 2) {
        const auto controllers = cgroup2_controllers(mount.root);
        if (!lists_word(controllers, kMemoryController))
            fail("the cgroup v2 hierarchy at " + mount.root.string() +
                     " has no memory controller (cgroup.controllers: \"" + controllers + "\")",
                 "use the hierarchy that holds the memory controller, or move the controller to "
                 "cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1)");
    } else if (!fs::exists(mount.root / limit_file_name(1))) {
        fail(mount.root.string() + " is not a cgroup v1 memory hierarchy (no " +
                 limit_file_name(1) + ")",
             "use the mount of the memory controller, e.g. /sys/fs/cgroup/memory");
    }
}

CgroupMount find_memory_hierarchy() {
    const fs::path mounts = "/proc/self/mounts";
    std::ifstream in(mounts);
    if (!in.is_open())
        fail("cannot read " + mounts.string(), "check that /proc is mounted");
    std::ostringstream text;
    text << in.rdbuf();
    if (auto found = memory_hierarchy_from_mounts(text.str(), cgroup2_lists_memory))
        return *found;
    fail("the memory cgroup controller is not mounted",
         "mount it (cgroup v1: mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory) or boot "
         "with cgroup v2");
}

} // namespace sevd::cgroups
