#include "cgroups/libcgroup_handle.h"

#include <cstdlib>
#include <cstring>
#include <linux/magic.h>
#include <mutex>
#include <sys/vfs.h>

#include "cgroups/tune_error.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMemoryController = "memory";

[[noreturn]] void fail(const std::string& message, const std::string& hint) {
    throw TuneError(TuneError::Kind::Io, message, hint);
}

int filesystem_cgroup_version(const fs::path& root) {
    struct statfs info {};
    if (statfs(root.c_str(), &info) != 0)
        fail("cannot stat " + root.string() + ": " + std::strerror(errno),
             "check that the cgroup hierarchy is mounted");
    return info.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
}

} // namespace

void ensure_libcgroup_initialized() {
    static std::once_flag once;
    static int rc = 0;
    std::call_once(once, [] { rc = cgroup_init(); });
    if (rc != 0)
        fail("libcgroup could not initialize: " + libcgroup_error_text(rc),
             "check that cgroups are mounted under /sys/fs/cgroup");
}

CgroupHandle make_cgroup(std::string_view name) {
    CgroupHandle group(cgroup_new_cgroup(std::string(name).c_str()));
    if (!group)
        fail("libcgroup could not allocate a cgroup description", "");
    return group;
}

std::string libcgroup_error_text(int rc) {
    if (rc == ECGOTHER)
        return std::strerror(cgroup_get_last_errno());
    return cgroup_strerror(rc);
}

CgroupMount find_memory_mount() {
    ensure_libcgroup_initialized();
    char* mount_point = nullptr;
    const int rc = cgroup_get_subsys_mount_point(kMemoryController, &mount_point);
    if (rc != 0 || mount_point == nullptr)
        fail("the memory cgroup controller is not mounted (" + libcgroup_error_text(rc) + ")",
             "mount it (cgroup v1: mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory) or "
             "boot with cgroup v2");
    const std::unique_ptr<char, decltype(&std::free)> owned(mount_point, &std::free);
    const fs::path root(mount_point);
    return {root, filesystem_cgroup_version(root)};
}

void require_libcgroup_hierarchy(const CgroupMount& mount) {
    const auto libcgroup_mount = find_memory_mount();
    if (libcgroup_mount.root != mount.root)
        fail("libcgroup manages the memory controller at " + libcgroup_mount.root.string() +
                 ", not at " + mount.root.string(),
             "use " + libcgroup_mount.root.string());
}

} // namespace sevd::cgroups
