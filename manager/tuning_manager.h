// Tuning1's behaviour: reads the machine.slice limit in force (and hands it to
// the launcher, which admits against it) and applies a new one. The limit's
// rules are cgroups::MemoryLimitTuner's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "cgroups/memory_limit_tuner.h"
#include "common/worker_pool.h"
#include "config/config.h"
#include "launcher/launcher.h"
#include "manager/main_loop.h"
#include "manager/outcome.h"
#include "manager/tuning_state.h"

namespace sevd::manager {

class TuningManager {
public:
    // `root` is the host the daemon serves ("/" or a snapshot, which is never written).
    TuningManager(std::filesystem::path root, MainLoop& loop, WorkerPool& workers,
                  std::shared_ptr<launcher::Launcher> launcher);
    TuningManager(const TuningManager&) = delete;
    TuningManager& operator=(const TuningManager&) = delete;

    // The limit in force, also handed to the launcher. Any thread.
    TuningState read(const config::Config& config);
    // Tuning1.Apply: writes the limit `config` asks for; `then` gets the
    // limit now in force (loop thread).
    void apply(const config::Config& config, Then<uint64_t> then);

private:
    // The tuner's check and write, run as one step against the ledger (worker thread).
    uint64_t apply_now(const config::Config& config);

    const std::filesystem::path root_;
    MainLoop& loop_;
    WorkerPool& workers_;
    std::shared_ptr<launcher::Launcher> launcher_;
    std::mutex tuner_mutex_; // the tuner is used from worker threads
    std::unique_ptr<cgroups::MemoryLimitTuner> tuner_;
    std::string tuner_error_; // why there is no tuner
};

} // namespace sevd::manager
