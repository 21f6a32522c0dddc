#include "dbus/launcher_object.h"

#include <chrono>
#include <optional>

#include <spdlog/spdlog.h>

#include "dbus/bus_error.h"
#include "dbus/bus_names.h"
#include "dbus/off_loop.h"

namespace sevd::dbus {
namespace {

launcher::LaunchRequest make_request(std::string name, uint64_t memory_mib, uint32_t vcpus,
                                     std::string disk,
                                     std::map<std::string, std::string> properties) {
    return {std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties)};
}

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

} // namespace

LauncherObject::LauncherObject(sdbus::IConnection& bus, Authorizer& authorizer, MainLoop& loop,
                               WorkerPool& workers, WorkerPool& event_lane,
                               std::shared_ptr<launcher::Launcher> launcher,
                               GuestsChanged on_guests_changed, exports::LaunchStats& launch_stats)
    : AdaptorInterfaces(bus, kLauncherPath), authorizer_(authorizer), loop_(loop),
      workers_(workers), event_lane_(event_lane), launcher_(std::move(launcher)),
      on_guests_changed_(std::move(on_guests_changed)), launch_stats_(launch_stats) {
    registerAdaptor();
}

LauncherObject::~LauncherObject() {
    unregisterAdaptor();
}

void LauncherObject::announce_guests() {
    // Guests a re-sync found gone (stopped while libvirt's events could not
    // reach sevd) are signalled like those an event reported.
    for (const auto& guest : launcher_->take_vanished())
        emitGuestStopped(guest.name, guest.uuid);
    getObject().emitPropertiesChangedSignal(kLauncherInterface, {"Guests", "AllGuests"});
}

void LauncherObject::domain_stopped(const launcher::DomainStopped& event) {
    auto launcher = launcher_;
    // The launcher's state lock can be held across a libvirt call (Stop): the lane waits.
    event_lane_.submit([this, launcher, event] {
        const auto guest = launcher->domain_stopped(event);
        if (!guest)
            return;
        loop_.post([this, g = *guest] {
            emitGuestStopped(g.name, g.uuid);
            announce_guests();
            on_guests_changed_();
        });
    });
}

void LauncherObject::domain_started(const launcher::DomainStarted& event) {
    auto launcher = launcher_;
    event_lane_.submit([this, launcher, event] {
        try {
            launcher->domain_started(event);
        } catch (const launcher::LaunchError& e) {
            spdlog::warn("domain '{}' started; reading it from libvirt failed: {}; it is counted "
                         "at the next re-sync",
                         event.name, e.what());
            return;
        }
        loop_.post([this] {
            announce_guests();
            on_guests_changed_();
        });
    });
}

void LauncherObject::authorize() {
    authorizer_.require(getObject().getCurrentlyProcessedMessage()->getSender(), kLaunchAction);
}

void LauncherObject::Launch(sdbus::Result<std::string>&& result, std::string name,
                            uint64_t memory_mib, uint32_t vcpus, std::string disk,
                            Arguments properties) {
    authorize();
    auto launcher = launcher_;
    auto request =
        make_request(std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties));
    // The guest, and whether it waits paused for attestation.
    using Launched = std::pair<launcher::GuestInfo, bool>;
    run_off_loop<Launched>(
        loop_, workers_, std::move(result),
        [launcher, request, &stats = launch_stats_] {
            auto guest = timed_launch(*launcher, request, stats);
            const bool attesting = launcher->awaiting_attestation(guest.name);
            return Launched{std::move(guest), attesting};
        },
        [this](sdbus::Result<std::string>& reply, const Launched& launched) {
            const auto& guest = launched.first;
            reply.returnResults(guest.uuid);
            emitGuestLaunched(guest.name, guest.uuid, std::string(model_name(guest.model)));
            announce_guests();
            on_guests_changed_();
            if (launched.second)
                watch_attestation({guest});
        });
}

void LauncherObject::Plan(sdbus::Result<std::string>&& result, std::string name,
                          uint64_t memory_mib, uint32_t vcpus, std::string disk,
                          Arguments properties) {
    authorize();
    auto launcher = launcher_;
    auto request =
        make_request(std::move(name), memory_mib, vcpus, std::move(disk), std::move(properties));
    run_off_loop<std::string>(
        loop_, workers_, std::move(result), [launcher, request] { return launcher->plan(request); },
        [](sdbus::Result<std::string>& reply, const std::string& xml) {
            reply.returnResults(xml);
        });
}

void LauncherObject::Stop(sdbus::Result<>&& result, std::string name) {
    authorize();
    auto launcher = launcher_;
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, std::move(result), [launcher, name] { return launcher->stop(name); },
        [this](sdbus::Result<>& reply, const launcher::GuestInfo& guest) {
            reply.returnResults();
            emitGuestStopped(guest.name, guest.uuid);
            announce_guests();
            on_guests_changed_();
        });
}

void LauncherObject::Start(sdbus::Result<std::string>&& result, std::string name) {
    authorize();
    auto launcher = launcher_;
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, std::move(result), [launcher, name] { return launcher->start(name); },
        [this](sdbus::Result<std::string>& reply, const launcher::GuestInfo& guest) {
            reply.returnResults(guest.uuid);
            emitGuestLaunched(guest.name, guest.uuid, std::string(model_name(guest.model)));
            announce_guests();
            on_guests_changed_();
        });
}

// GuestStopped and the Guests change follow with libvirt's STOPPED event.
void LauncherObject::Shutdown(sdbus::Result<>&& result, std::string name) {
    authorize();
    auto launcher = launcher_;
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, std::move(result), [launcher, name] { return launcher->shutdown(name); },
        [](sdbus::Result<>& reply, const launcher::GuestInfo&) { reply.returnResults(); });
}

std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>>
LauncherObject::AllGuests() {
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>> out;
    for (const auto& guest : launcher_->all_guests())
        out.emplace_back(guest.info.name, guest.info.uuid,
                         std::string(model_name(guest.info.model)), guest.info.memory_mib,
                         std::string(guest.running ? "running" : "shut off"));
    return out;
}

std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>>
LauncherObject::Guests() {
    const auto guests = launcher_->guests();
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>> out;
    out.reserve(guests.size());
    for (const auto& guest : guests)
        out.emplace_back(guest.name, guest.uuid, std::string(model_name(guest.model)),
                         guest.memory_mib);
    return out;
}

} // namespace sevd::dbus
