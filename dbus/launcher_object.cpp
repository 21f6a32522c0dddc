#include "dbus/launcher_object.h"

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

} // namespace

LauncherObject::LauncherObject(sdbus::IConnection& bus, Authorizer& authorizer, MainLoop& loop,
                               WorkerPool& workers, std::shared_ptr<launcher::Launcher> launcher,
                               GuestsChanged on_guests_changed)
    : AdaptorInterfaces(bus, kLauncherPath), authorizer_(authorizer), loop_(loop),
      workers_(workers), launcher_(std::move(launcher)),
      on_guests_changed_(std::move(on_guests_changed)) {
    registerAdaptor();
}

LauncherObject::~LauncherObject() {
    unregisterAdaptor();
}

void LauncherObject::set_launcher(std::shared_ptr<launcher::Launcher> launcher) {
    launcher_ = std::move(launcher);
}

void LauncherObject::announce_guests() {
    // Guests a re-sync found gone (stopped while libvirt's events could not
    // reach sevd) are signalled like those an event reported.
    for (const auto& guest : launcher_->take_vanished())
        emitGuestStopped(guest.name, guest.uuid);
    getObject().emitPropertiesChangedSignal(kLauncherInterface, {"Guests"});
}

void LauncherObject::domain_stopped(const launcher::DomainStopped& event) {
    auto launcher = launcher_;
    // The launcher's state lock can be held across a libvirt call (Stop): a worker waits.
    workers_.submit([this, launcher, event] {
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
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, std::move(result),
        [launcher, request] { return launcher->launch(request); },
        [this](sdbus::Result<std::string>& reply, const launcher::GuestInfo& guest) {
            spdlog::info("launched {} ({}, {})", guest.name, guest.uuid, model_name(guest.model));
            reply.returnResults(guest.uuid);
            emitGuestLaunched(guest.name, guest.uuid, std::string(model_name(guest.model)));
            announce_guests();
            on_guests_changed_();
            schedule_attestation_expiry(guest);
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
            spdlog::info("stopped {} ({})", guest.name, guest.uuid);
            reply.returnResults();
            emitGuestStopped(guest.name, guest.uuid);
            announce_guests();
            on_guests_changed_();
        });
}

std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>>
LauncherObject::Guests() {
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>> out;
    for (const auto& guest : launcher_->guests())
        out.emplace_back(guest.name, guest.uuid, std::string(model_name(guest.model)),
                         guest.memory_mib);
    return out;
}

} // namespace sevd::dbus
