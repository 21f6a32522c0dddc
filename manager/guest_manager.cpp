#include "manager/guest_manager.h"

#include <chrono>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "manager/off_loop.h"

namespace sevd::manager {
namespace {

// launcher.launch(request), its outcome and round trip counted in `stats`.
launcher::GuestInfo timed_launch(launcher::Launcher& launcher,
                                 const launcher::LaunchRequest& request,
                                 exports::LaunchStats& stats) {
    const auto start = std::chrono::steady_clock::now();
    const auto took = [start] { return std::chrono::steady_clock::now() - start; };
    try {
        auto guest = launcher.launch(request);
        stats.record(exports::launch_result(std::nullopt), took());
        return guest;
    } catch (const launcher::LaunchError& e) {
        stats.record(exports::launch_result(e.code()), took());
        throw;
    } catch (...) {
        stats.record("failed", took());
        throw;
    }
}

// The same outcome with its value reduced to what the caller is answered.
template <typename To, typename From, typename Convert>
Outcome<To> answer_of(const Outcome<From>& outcome, Convert convert) {
    if (!outcome.ok())
        return {std::nullopt, outcome.error};
    return {convert(*outcome.value), nullptr};
}

} // namespace

GuestManager::GuestManager(MainLoop& loop, WorkerPool& workers,
                           std::shared_ptr<launcher::Launcher> launcher,
                           exports::LaunchStats& launch_stats, Announcer& announcer,
                           std::function<void()> slots_moved)
    : loop_(loop), workers_(workers), launcher_(std::move(launcher)), launch_stats_(launch_stats),
      announcer_(announcer), slots_moved_(std::move(slots_moved)) {}

void GuestManager::launch(launcher::LaunchRequest request, Then<launcher::GuestInfo> then) {
    // The guest, and whether it waits paused for attestation.
    using Launched = std::pair<launcher::GuestInfo, bool>;
    run_off_loop<Launched>(
        loop_, workers_,
        [launcher = launcher_, request = std::move(request), &stats = launch_stats_] {
            auto guest = timed_launch(*launcher, request, stats);
            const bool attesting = launcher->awaiting_attestation(guest.name);
            return Launched{std::move(guest), attesting};
        },
        [this, then = std::move(then)](Outcome<Launched> outcome) {
            then(
                answer_of<launcher::GuestInfo>(outcome, [](const Launched& l) { return l.first; }));
            if (!outcome.ok())
                return;
            const auto& [guest, attesting] = *outcome.value;
            announcer_.guest_launched(guest);
            guests_moved();
            if (attesting)
                watch_attestation({guest});
        });
}

void GuestManager::plan(launcher::LaunchRequest request, Then<std::string> then) {
    run_off_loop<std::string>(
        loop_, workers_,
        [launcher = launcher_, request = std::move(request)] { return launcher->plan(request); },
        std::move(then));
}

void GuestManager::stop(std::string name, Then<launcher::GuestInfo> then) {
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, [launcher = launcher_, name] { return launcher->stop(name); },
        then_moved(std::move(then), &Announcer::guest_stopped));
}

void GuestManager::start(std::string name, Then<launcher::GuestInfo> then) {
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, [launcher = launcher_, name] { return launcher->start(name); },
        then_moved(std::move(then), &Announcer::guest_launched));
}

void GuestManager::shutdown(std::string name, Then<launcher::GuestInfo> then) {
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, [launcher = launcher_, name] { return launcher->shutdown(name); },
        std::move(then));
}

void GuestManager::announce_guests() {
    // Guests a re-sync found gone (stopped while libvirt's events could not
    // reach sevd) are signalled like those an event reported.
    for (const auto& guest : launcher_->take_vanished())
        announcer_.guest_stopped(guest);
    announcer_.guests_changed();
}

Then<launcher::GuestInfo> GuestManager::then_moved(Then<launcher::GuestInfo> then,
                                                   GuestEvent event) {
    return [this, then = std::move(then), event](Outcome<launcher::GuestInfo> outcome) {
        then(outcome);
        if (!outcome.ok())
            return;
        (announcer_.*event)(*outcome.value);
        guests_moved();
    };
}

void GuestManager::guests_moved() {
    announce_guests();
    slots_moved_();
}

void GuestManager::domain_stopped(const launcher::DomainStopped& event) {
    // The launcher's state lock can be held across a libvirt call (Stop): the lane waits.
    event_lane_.submit([this, launcher = launcher_, event] {
        const auto guest = launcher->domain_stopped(event);
        if (!guest)
            return;
        loop_.post([this, g = *guest] {
            announcer_.guest_stopped(g);
            guests_moved();
        });
    });
}

void GuestManager::domain_started(const launcher::DomainStarted& event) {
    event_lane_.submit([this, launcher = launcher_, event] {
        try {
            launcher->domain_started(event);
        } catch (const launcher::LaunchError& e) {
            spdlog::warn("domain '{}' started; reading it from libvirt failed: {}; it is counted "
                         "at the next re-sync",
                         event.name, e.what());
            return;
        }
        loop_.post([this] { guests_moved(); });
    });
}

void GuestManager::resync(std::function<void()> done, std::function<void()> failed) {
    workers_.submit(
        [this, launcher = launcher_, done = std::move(done), failed = std::move(failed)] {
            try {
                launcher->resync();
            } catch (const launcher::LaunchError& e) {
                spdlog::warn("listing running guests: {}; retrying when libvirt is back", e.what());
                loop_.post(failed);
                return;
            }
            loop_.post([this, done, attesting = launcher->attesting_guests()] {
                watch_attestation(attesting);
                announce_guests();
                done();
            });
        });
}

} // namespace sevd::manager
