#include "manager/tuning_manager.h"

#include <spdlog/spdlog.h>

#include "common/size_units.h"
#include "launcher/launch_error.h"
#include "manager/off_loop.h"

namespace sevd::manager {

TuningManager::TuningManager(std::filesystem::path root, MainLoop& loop, WorkerPool& workers,
                             std::shared_ptr<launcher::Launcher> launcher)
    : root_(std::move(root)), loop_(loop), workers_(workers), launcher_(std::move(launcher)) {
    try {
        cgroups::TunerOptions options;
        options.root = root_;
        tuner_ = std::make_unique<cgroups::MemoryLimitTuner>(options);
    } catch (const cgroups::TuneError& e) {
        tuner_error_ = e.what();
        spdlog::warn("machine.slice limit unavailable: {}; Tuning1.Apply will fail", e.what());
    }
}

// Under tuner_mutex_ up to the launcher: a reading never overwrites the
// limit an Apply wrote after it. No tuner (no memory controller): no limit
// can be in force, so none is (known); a failed read is unknown and the
// launcher admits nothing until a reading succeeds.
TuningState TuningManager::read(const config::Config& config) {
    TuningState state;
    state.reserved_host_memory = config.reserved_host_memory_mb * kMiB;
    std::lock_guard lock(tuner_mutex_);
    if (tuner_) {
        try {
            state.memory_limit = tuner_->current().limit_bytes;
        } catch (const cgroups::TuneError& e) {
            state.memory_limit_known = false;
            spdlog::warn("reading the machine.slice limit: {}; no guest is launched until it "
                         "can be read",
                         e.what());
        }
    }
    launcher_->set_memory_limit({state.memory_limit, state.memory_limit_known});
    return state;
}

void TuningManager::apply(const config::Config& config, Then<uint64_t> then) {
    run_off_loop<uint64_t>(
        loop_, workers_, [this, config] { return apply_now(config); }, std::move(then));
}

// The tuner's check (the limit never below the guests' locked memory) and its
// write run as one step against the ledger (Launcher::change_memory_limit):
// a launch admitted meanwhile waits. A refusal writes nothing, so the old
// limit stays known; a failed write leaves the limit unknown until re-read.
uint64_t TuningManager::apply_now(const config::Config& config) {
    if (root_ != "/") {
        // The tuner would write this host's cgroup with the snapshot's MemTotal.
        throw launcher::LaunchError(
            launcher::ErrorCode::Unsupported,
            "a snapshot is not this host: sevd serves " + root_.string() +
                " (--root), and Apply would write this host's machine.slice; run `sevd tune "
                "--root " +
                root_.string() + "` for the limit that snapshot's host would get");
    }
    if (!tuner_)
        throw cgroups::TuneError(cgroups::TuneError::Kind::Io,
                                 "machine.slice limit unavailable: " + tuner_error_);
    std::optional<cgroups::TuneError> refusal;
    uint64_t limit = 0;
    try {
        launcher_->change_memory_limit([&](std::optional<uint64_t> locked) {
            std::lock_guard lock(tuner_mutex_);
            try {
                // Unreadable guest memory: no limit is safe to lower to.
                limit = tuner_->apply(config, false, locked.value_or(UINT64_MAX)).after.limit_bytes;
                return launcher::SliceLimit{limit, true};
            } catch (const cgroups::TuneError& e) {
                if (e.kind() == cgroups::TuneError::Kind::Io)
                    throw;
                refusal = e;
                return launcher::SliceLimit{e.result().before.limit_bytes, true};
            }
        });
    } catch (const cgroups::TuneError& e) {
        spdlog::error("Tuning1.Apply: {}", e.what());
        throw;
    }
    if (refusal) {
        spdlog::error("Tuning1.Apply: {}", refusal->what());
        throw *refusal;
    }
    return limit;
}

} // namespace sevd::manager
