// Blocking launcher work off the bus loop: run on a worker, reply (or signal)
// back on the loop thread, a LaunchError mapped to its org.sevd.Error.* name.
#pragma once

#include <memory>
#include <optional>

#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/spdlog.h>

#include "common/worker_pool.h"
#include "dbus/bus_error.h"
#include "dbus/bus_names.h"
#include "dbus/main_loop.h"
#include "launcher/launch_error.h"

namespace sevd::dbus {

// Runs `work` (may throw LaunchError) on a worker; `done` gets its value on the
// loop thread, or the mapped error goes back to the caller.
template <typename Value, typename Reply, typename Work, typename Done>
void run_off_loop(MainLoop& loop, WorkerPool& workers, Reply result, Work work, Done done) {
    auto reply = std::make_shared<Reply>(std::move(result));
    workers.submit([&loop, reply, work = std::move(work), done = std::move(done)]() mutable {
        std::optional<Value> value;
        std::optional<sdbus::Error> error;
        try {
            value = work();
        } catch (const launcher::LaunchError& e) {
            error = to_bus_error(e);
        } catch (const std::exception& e) {
            spdlog::error("launcher: unexpected failure: {}", e.what());
            error = sdbus::Error(kFailedError, e.what());
        }
        // The reply (an sd-bus message) moves on: only the loop thread touches it.
        loop.post(
            [reply = std::move(reply), value = std::move(value), error = std::move(error), done]() {
                if (error)
                    reply->returnError(*error);
                else
                    done(*reply, *value);
            });
    });
}

} // namespace sevd::dbus
