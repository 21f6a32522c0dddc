#include "cgroups/memory_limit_tuner.h"

#include <unistd.h>

#include "cgroups/cgroupfs_backend.h"
#include "cgroups/limit_plan.h"
#include "cgroups/meminfo_source.h"
#include "cgroups/memory_hierarchy.h"
#include "cgroups/systemd_backend.h"
#include "cgroups/tune_error.h"

namespace sevd::cgroups {
namespace {

bool use_systemd(const TunerOptions& options) {
    if (options.backend == BackendChoice::Auto)
        return systemd_manages_slices(options.root);
    return options.backend == BackendChoice::Systemd;
}

std::unique_ptr<LimitBackend> open_systemd(const TunerOptions& options) {
    std::unique_ptr<sdbus::IConnection> bus;
    try {
        bus = sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& e) {
        throw TuneError(TuneError::Kind::Io,
                        "cannot connect to the system bus to reach systemd: " + e.getMessage(),
                        "check that dbus is running");
    }
    return std::make_unique<SystemdBackend>(std::move(bus), options.slice,
                                            host_cgroup_version(options.root));
}

CgroupMount memory_mount(const TunerOptions& options) {
    return options.cgroup_mount ? *options.cgroup_mount : find_memory_hierarchy();
}

// Where the slice's processes show: systemd tracks every unit's processes in
// the unified hierarchy (v2) or in its own named v1 hierarchy.
std::filesystem::path systemd_slice_directory(const TunerOptions& options) {
    const auto cgroup_root = options.root / "sys/fs/cgroup";
    if (host_cgroup_version(options.root) == 2)
        return cgroup_root / options.slice;
    return cgroup_root / "systemd" / options.slice;
}

} // namespace

const char* to_string(TuneAction action) {
    switch (action) {
    case TuneAction::Applied:
        return "applied";
    case TuneAction::AlreadyInForce:
        return "already_in_force";
    case TuneAction::DryRun:
        return "dry_run";
    case TuneAction::Refused:
        return "refused";
    case TuneAction::Failed:
        return "failed";
    }
    return "failed";
}

MemoryLimitTuner::MemoryLimitTuner(TunerOptions options) : options_(std::move(options)) {
    if (options_.page_size == 0)
        options_.page_size = host_page_size();
    if (use_systemd(options_)) {
        backend_ = open_systemd(options_);
        backend_name_ = kSourceSystemd;
        slice_directory_ = systemd_slice_directory(options_);
        return;
    }
    auto mount = memory_mount(options_);
    slice_directory_ = mount.root / options_.slice;
    backend_ =
        std::make_unique<CgroupfsBackend>(std::move(mount), options_.slice, options_.page_size);
    backend_name_ = kSourceCgroupfs;
}

MemoryLimitTuner::~MemoryLimitTuner() = default;

const char* MemoryLimitTuner::backend_name() const {
    return backend_name_;
}

SliceOccupancy MemoryLimitTuner::slice_occupancy() const {
    return read_slice_occupancy(slice_directory_);
}

LimitInForce MemoryLimitTuner::current() {
    return backend_->read();
}

TuneResult MemoryLimitTuner::apply(const config::Config& config, bool dry_run,
                                   uint64_t locked_guest_bytes) {
    TuneResult result;
    result.locked_guest_bytes = locked_guest_bytes;
    result.reserve_origin = config.describe_origin("memory", "reserved_host_memory_mb");
    result.before = backend_->read();
    result.after = result.before;
    result.mem_total_bytes = read_mem_total_bytes(options_.root);

    const auto plan = plan_limit(result.mem_total_bytes, config.reserved_host_memory_mb,
                                 options_.page_size, locked_guest_bytes, result.reserve_origin);
    result.reserved_bytes = plan.reserved_bytes;
    result.computed_limit_bytes = plan.limit_bytes;
    if (!plan.ok()) {
        result.action = TuneAction::Refused;
        // Below the running guests, the plan says the old limit stays.
        result.message =
            plan.below_running_guests ? plan.refusal : plan.refusal + "; nothing was written";
        result.hint = plan.hint;
        const auto kind = plan.below_running_guests ? TuneError::Kind::InsufficientMemory
                                                    : TuneError::Kind::Refused;
        throw TuneError(kind, result.message, plan.hint, result);
    }
    if (result.before.limit_bytes == plan.limit_bytes) {
        result.action = TuneAction::AlreadyInForce;
        result.message = "the limit " + human_bytes(plan.limit_bytes) + " is already in force";
        return result;
    }
    if (dry_run) {
        result.action = TuneAction::DryRun;
        result.message =
            "would " + backend_->describe_write(plan.limit_bytes) + "; nothing was written";
        return result;
    }
    return write_and_read_back(std::move(result));
}

TuneResult MemoryLimitTuner::write_and_read_back(TuneResult result) {
    const uint64_t limit = result.computed_limit_bytes;
    const auto what = backend_->describe_write(limit);
    try {
        backend_->write(limit);
    } catch (const TuneError& e) {
        result.after = read_after_failed_write(result.before);
        result.action = TuneAction::Failed;
        result.message = std::string(e.what()) + "; the limit in force stays " +
                         (result.after.limit_bytes == 0 ? std::string("none")
                                                        : human_bytes(result.after.limit_bytes));
        result.hint = e.hint();
        throw TuneError(TuneError::Kind::Io, result.message, result.hint, result);
    }
    result.after = backend_->read();
    result.changed = result.after != result.before;
    if (result.after.limit_bytes != limit) {
        result.action = TuneAction::Failed;
        result.message = "wrote " + std::to_string(limit) + " but " + result.after.path +
                         " reads back " + std::to_string(result.after.limit_bytes);
        result.hint = "check what else manages " + options_.slice;
        throw TuneError(TuneError::Kind::Io, result.message, result.hint, result);
    }
    result.action = TuneAction::Applied;
    result.message = what + " (" + human_bytes(limit) + ")";
    return result;
}

LimitInForce MemoryLimitTuner::read_after_failed_write(const LimitInForce& before) {
    try {
        return backend_->read();
    } catch (const TuneError&) {
        return before; // the write failed, so nothing we did changed it
    }
}

} // namespace sevd::cgroups
