#include "cgroups/cgroupfs_backend.h"

#include "cgroups/libcgroup_handle.h"
#include "cgroups/memory_hierarchy.h"
#include "cgroups/tune_error.h"
#include "common/file_reader.h"

namespace sevd::cgroups {
namespace {

constexpr const char* kMemoryController = "memory";

} // namespace

CgroupfsBackend::CgroupfsBackend(CgroupMount mount, std::string cgroup, uint64_t page_size)
    : mount_(std::move(mount)), cgroup_(std::move(cgroup)), page_size_(page_size) {
    require_memory_controller(mount_);
}

std::string CgroupfsBackend::control_file() const {
    return limit_file_path(mount_, cgroup_).string();
}

// A plain read of the control file: what the kernel holds is what is in
// force, and no libcgroup state is needed for it (see memory_hierarchy.h).
LimitInForce CgroupfsBackend::read() {
    LimitInForce in_force{0, kSourceCgroupfs, mount_.version, control_file()};
    if (!std::filesystem::exists(mount_.root / cgroup_))
        return in_force; // no slice yet: nothing limits the VMs
    const auto file = read_small_file(control_file());
    if (!file.ok())
        throw TuneError(TuneError::Kind::Io,
                        "cannot read " + control_file() + ": " +
                            (file.error.empty() ? std::string("no such file") : file.error),
                        "check that the memory controller is enabled for " + cgroup_);
    const auto value = parse_limit(mount_.version, file.content, page_size_);
    if (!value)
        throw TuneError(TuneError::Kind::Io,
                        control_file() + " holds \"" + file.content + "\", not a limit",
                        "check the kernel's cgroup memory controller");
    in_force.limit_bytes = *value;
    return in_force;
}

std::string CgroupfsBackend::describe_write(uint64_t limit_bytes) const {
    const bool exists = std::filesystem::exists(mount_.root / cgroup_);
    return std::string(exists ? "" : "create " + (mount_.root / cgroup_).string() + " and ") +
           "write " + format_limit(mount_.version, limit_bytes) + " to " + control_file();
}

void CgroupfsBackend::write(uint64_t limit_bytes) {
    require_libcgroup_hierarchy(mount_);
    auto group = make_cgroup(cgroup_);
    auto* controller = cgroup_add_controller(group.get(), kMemoryController);
    if (controller == nullptr)
        throw TuneError(TuneError::Kind::Io, "libcgroup could not add the memory controller", "");
    const auto file = limit_file_name(mount_.version);
    const auto value = format_limit(mount_.version, limit_bytes);
    int rc = cgroup_add_value_string(controller, file.c_str(), value.c_str());
    if (rc == 0) {
        const bool exists = std::filesystem::exists(mount_.root / cgroup_);
        // ignore_ownership: a new slice stays root's, and no chown() is needed (the
        // boot unit's system-call filter forbids it).
        rc = exists ? cgroup_modify_cgroup(group.get()) : cgroup_create_cgroup(group.get(), 1);
    }
    if (rc != 0)
        throw TuneError(TuneError::Kind::Io,
                        "cannot write " + value + " to " + control_file() + ": " +
                            libcgroup_error_text(rc),
                        "run as root; on cgroup v1 the limit must not exceed "
                        "memory.memsw.limit_in_bytes nor fall below the slice's usage");
}

} // namespace sevd::cgroups
