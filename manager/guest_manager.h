// Launcher1's behaviour (and Host1.Certificates): each member runs the
// launcher's blocking libvirt work on a worker, answers on the loop thread,
// then announces what changed. libvirt's lifecycle events are applied one at
// a time in libvirt's order. The rules themselves are launcher::Launcher's.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/worker_pool.h"
#include "export/launch_stats.h"
#include "launcher/attestation.h"
#include "launcher/launcher.h"
#include "launcher/libvirt_events.h"
#include "manager/announcer.h"
#include "manager/main_loop.h"
#include "manager/outcome.h"

namespace sevd::manager {

class GuestManager {
public:
    // `slots_moved` runs (loop thread) after a guest started or stopped: the
    // manager re-reads the host's slot usage.
    GuestManager(MainLoop& loop, WorkerPool& workers, std::shared_ptr<launcher::Launcher> launcher,
                 exports::LaunchStats& launch_stats, Announcer& announcer,
                 std::function<void()> slots_moved);
    GuestManager(const GuestManager&) = delete;
    GuestManager& operator=(const GuestManager&) = delete;

    launcher::Launcher& launcher() const { return *launcher_; }

    // Each answers `then` first, then announces (GuestLaunched, GuestStopped, Guests).
    void launch(launcher::LaunchRequest request, Then<launcher::GuestInfo> then);
    void plan(launcher::LaunchRequest request, Then<std::string> then);
    void stop(std::string name, Then<launcher::GuestInfo> then);
    void start(std::string name, Then<launcher::GuestInfo> then);
    // GuestStopped and Guests follow with libvirt's STOPPED event.
    void shutdown(std::string name, Then<launcher::GuestInfo> then);
    std::vector<launcher::GuestInfo> guests() const { return launcher_->guests(); }
    std::vector<launcher::DefinedGuest> all_guests() const { return launcher_->all_guests(); }

    // Attestation (guest_manager_attestation.cpp).
    void certificates(Then<launcher::SevCertificates> then);
    void measurement(std::string name, Then<launcher::LaunchMeasurement> then);
    void inject_secret(std::string name, launcher::LaunchSecret secret, Then<Done> then);
    void resume(std::string name, Then<launcher::GuestInfo> then);
    // Guests paused for attestation (from a launch, or found again by a
    // re-sync after a restart): each is destroyed when it still waits
    // [guests] attestation_timeout_s after sevd first saw it.
    void watch_attestation(const std::vector<launcher::GuestInfo>& guests);

    // libvirt reported a domain stopped or started (loop thread).
    void domain_stopped(const launcher::DomainStopped& event);
    void domain_started(const launcher::DomainStarted& event);

    // Re-reads the running guests (on a worker); then watches the ones still
    // paused for attestation, announces, and runs `done` (loop thread). A
    // failed re-read runs `failed` instead (loop thread).
    void resync(std::function<void()> done, std::function<void()> failed);
    // Announces Guests, with GuestStopped first for the guests a re-sync found gone.
    void announce_guests();

private:
    using GuestEvent = void (Announcer::*)(const launcher::GuestInfo&);
    // `then`, followed on success by `event` for the guest and guests_moved().
    Then<launcher::GuestInfo> then_moved(Then<launcher::GuestInfo> then, GuestEvent event);
    // After a change the caller was answered for: announce, re-read the slots.
    void guests_moved();
    void expire_attestation(const launcher::GuestInfo& guest);

    MainLoop& loop_;
    WorkerPool& workers_;
    std::shared_ptr<launcher::Launcher> launcher_;
    exports::LaunchStats& launch_stats_; // every launch's outcome and round trip
    Announcer& announcer_;
    std::function<void()> slots_moved_;
    std::set<std::string> attestation_timers_; // UUIDs with an expiry pending (loop thread)
    // libvirt's lifecycle events, one at a time in libvirt's order: a STARTED
    // handled after the STOPPED that followed it would count a stopped guest.
    // Last: joined first, while everything its jobs use still exists.
    WorkerPool event_lane_{1};
};

} // namespace sevd::manager
