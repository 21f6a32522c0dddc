// Blocking work (libvirt, cgroup writes) off the loop: it runs on a worker and
// its outcome comes back on the loop thread, where the manager's state and the
// bus live.
#pragma once

#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "cgroups/tune_error.h"
#include "common/worker_pool.h"
#include "launcher/launch_error.h"
#include "manager/main_loop.h"
#include "manager/outcome.h"

namespace sevd::manager {

// Runs `work` on a worker; `then` gets its Outcome<Value> on the loop thread.
// A LaunchError or TuneError is a named refusal or failure (logged where it
// was decided); anything else is unexpected, and logged here.
template <typename Value, typename Work, typename ThenFn>
void run_off_loop(MainLoop& loop, WorkerPool& workers, Work work, ThenFn then) {
    workers.submit([&loop, work = std::move(work), then = std::move(then)]() mutable {
        Outcome<Value> outcome;
        try {
            outcome.value = work();
        } catch (const launcher::LaunchError&) {
            outcome.error = std::current_exception();
        } catch (const cgroups::TuneError&) {
            outcome.error = std::current_exception();
        } catch (const std::exception& e) {
            spdlog::error("unexpected failure: {}", e.what());
            outcome.error = std::current_exception();
        }
        loop.post([outcome = std::move(outcome), then = std::move(then)]() mutable {
            then(std::move(outcome));
        });
    });
}

} // namespace sevd::manager
