// org.sevd.Launcher1 at /org/sevd/Launcher1. Adapts only: checks the caller
// (polkit org.sevd.launch), runs the launcher's blocking libvirt work on the
// worker pool so Gets stay responsive, and replies, signals and announces
// Guests back on the loop thread. Decisions live in launcher::Launcher.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "common/worker_pool.h"
#include "dbus/authorizer.h"
#include "dbus/generated/org.sevd.Launcher1_adaptor.h"
#include "dbus/main_loop.h"
#include "export/launch_stats.h"
#include "launcher/launcher.h"

namespace sevd::dbus {

class LauncherObject final : public sdbus::AdaptorInterfaces<org::sevd::Launcher1_adaptor> {
public:
    using GuestsChanged = std::function<void()>;

    LauncherObject(sdbus::IConnection& bus, Authorizer& authorizer, MainLoop& loop,
                   WorkerPool& workers, WorkerPool& event_lane,
                   std::shared_ptr<launcher::Launcher> launcher, GuestsChanged on_guests_changed,
                   exports::LaunchStats& launch_stats);
    ~LauncherObject();
    LauncherObject(const LauncherObject&) = delete;
    LauncherObject& operator=(const LauncherObject&) = delete;

    std::shared_ptr<launcher::Launcher> launcher() const { return launcher_; }
    // Announces Guests (after a launch, stop or resync), with GuestStopped
    // first for the guests a re-sync found gone.
    void announce_guests();
    // libvirt reported a domain stopped (loop thread): the launcher releases it
    // on the event lane (one thread: events keep libvirt's order); a guest
    // sevd launched then leaves Guests with GuestStopped.
    void domain_stopped(const launcher::DomainStopped& event);
    // libvirt reported a domain started (loop thread): the launcher reads that
    // domain on the event lane so it counts; Guests is announced after.
    void domain_started(const launcher::DomainStarted& event);
    // Host1.Certificates (readable by anyone: no authorization), answered
    // from the launcher's libvirt on a worker.
    void certificates(sdbus::Result<std::string, std::string>&& result);
    // Guests paused for attestation (loop thread; from a launch or a re-sync,
    // which finds them again after a restart): each is expired when it is
    // still paused [guests] attestation_timeout_s after sevd first saw it.
    void watch_attestation(const std::vector<launcher::GuestInfo>& guests);

private:
    using Arguments = std::map<std::string, std::string>;
    void Launch(sdbus::Result<std::string>&& result, std::string name, uint64_t memory_mib,
                uint32_t vcpus, std::string disk, Arguments properties) override;
    void Plan(sdbus::Result<std::string>&& result, std::string name, uint64_t memory_mib,
              uint32_t vcpus, std::string disk, Arguments properties) override;
    void Stop(sdbus::Result<>&& result, std::string name) override;
    void Start(sdbus::Result<std::string>&& result, std::string name) override;
    void Shutdown(sdbus::Result<>&& result, std::string name) override;
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>> Guests() override;
    std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>>
    AllGuests() override;
    // Attestation: launcher_object_attestation.cpp.
    void Measurement(sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>&& result,
                     std::string name) override;
    void InjectSecret(sdbus::Result<>&& result, std::string name, std::string header,
                      std::string secret, uint64_t gpa) override;
    void Resume(sdbus::Result<>&& result, std::string name) override;

    void authorize();
    void expire_attestation(std::shared_ptr<launcher::Launcher> launcher,
                            const launcher::GuestInfo& guest);

    Authorizer& authorizer_;
    MainLoop& loop_;
    WorkerPool& workers_;
    WorkerPool& event_lane_;
    std::shared_ptr<launcher::Launcher> launcher_;
    GuestsChanged on_guests_changed_;
    exports::LaunchStats& launch_stats_;       // every Launch call's outcome and round trip
    std::set<std::string> attestation_timers_; // UUIDs with an expiry pending (loop thread)
};

} // namespace sevd::dbus
