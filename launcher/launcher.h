// The launch service behind org.sevd.Launcher1: validates a request, builds
// its domain XML, reserves an ASID slot and locked memory atomically, and
// defines + starts the guest through libvirt, releasing the reservation on
// any failure. One per daemon; every method is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "launcher/admission_ledger.h"
#include "launcher/attestation.h"
#include "launcher/domain_xml.h"
#include "launcher/launch_error.h"
#include "launcher/launch_request.h"
#include "launcher/libvirt_domains.h"
#include "launcher/libvirt_events.h"
#include "launcher/request_validator.h"
#include "probe/host_report.h"

namespace sevd::launcher {

class Launcher {
public:
    Launcher(const config::Config& config, std::unique_ptr<LibvirtDomains> client);

    // Capacities from the probe: slots per pool (total, used), launchable
    // models, cbitpos/reducedPhysBits (libvirt's when it reports SEV, else
    // CPUID's). memory_limit_bytes is the machine.slice limit in force; 0 means
    // none, and sevd then admits against MemTotal - reserved_host_memory_mb
    // (what 'sevd tune' would set), or without a limit when MemTotal is unknown.
    void update_host(const probe::HostReport& report, uint64_t memory_limit_bytes);

    // Validates and returns the domain XML launch() would define; reserves nothing.
    std::string plan(const LaunchRequest& request) const;
    // Throws LaunchError with the code D-Bus maps to org.sevd.Error.*.
    GuestInfo launch(const LaunchRequest& request);
    // Destroys and undefines a guest sevd launched (running, or powered off by
    // itself but still defined). Throws LaunchError(InvalidArgument) for any
    // other name.
    GuestInfo stop(const std::string& name);
    // Running guests sevd launched, by name.
    std::vector<GuestInfo> guests() const;
    // libvirt reported a domain stopped (by itself or from outside sevd): frees
    // its ASID slot and locked memory at once and, when it is a guest sevd
    // launched, drops it from guests() and returns it (the caller announces
    // GuestStopped). nullopt when it is not listed: stop() removed it already,
    // it is not sevd's, or the event is about an older domain of that name
    // (another UUID) whose successor runs. Takes no libvirt call.
    std::optional<GuestInfo> domain_stopped(const DomainStopped& event);
    // Re-reads the running encrypted domains from libvirt into the ledger and
    // the guest list (at start, after a reconnect). Throws LaunchError(Libvirt).
    void resync();
    // Guests a re-sync dropped from guests() because they no longer run (they
    // stopped while no lifecycle event could arrive), each returned once, so
    // the caller can announce GuestStopped for them too. Never blocks on libvirt.
    std::vector<GuestInfo> take_vanished();

    AdmissionLedger::Usage usage() const { return ledger_.usage(); }

    // Attestation (launcher_attestation.cpp). A launch with sevd:attestation
    // starts paused and holds its slot and memory (guests(), the ledger) from
    // then on; until resume() it answers measurement() and inject_secret().
    // Each throws LaunchError: InvalidArgument for a name that is no guest
    // paused for attestation, Libvirt when libvirt fails.
    SevCertificates certificates();
    LaunchMeasurement measurement(const std::string& name);
    void inject_secret(const std::string& name, const LaunchSecret& secret);
    GuestInfo resume(const std::string& name);
    bool awaiting_attestation(const std::string& name) const;
    // [guests] attestation_timeout_s: a guest still paused after it is expired.
    std::chrono::seconds attestation_timeout() const;
    // Destroys and undefines the guest `name` when it is still the one
    // launched as `uuid` and still paused for attestation, freeing its slot;
    // returns it (the caller announces GuestStopped). nullopt otherwise.
    std::optional<GuestInfo> expire_attestation(const std::string& name, const std::string& uuid);

private:
    struct HostView {
        ValidationContext validation;
        HostSecurity security;
    };
    struct Prepared {
        ValidatedRequest request;
        std::string xml;
    };

    Prepared prepare(const LaunchRequest& request) const;
    AdmissionLedger::Reservation reserve(const ValidatedRequest& request);
    void resync_if_reconnected();
    GuestInfo stopped_guest_locked(const std::string& name);
    void note_vanished_locked(const std::map<std::string, GuestInfo>& running);
    uint64_t locked_bytes(uint64_t memory_mib) const;
    std::string start_domain(const ValidatedRequest& request, const std::string& xml);
    void require_attesting_locked(const std::string& name) const;

    const config::Config config_;
    std::unique_ptr<LibvirtDomains> client_;
    AdmissionLedger ledger_;

    mutable std::mutex host_mutex_;
    HostView host_;

    // Guards guests_ and orders resync against commit/stop.
    mutable std::mutex state_mutex_;
    std::map<std::string, GuestInfo> guests_;
    // Guests paused for attestation (a subset of guests_): name -> uuid.
    std::map<std::string, std::string> attesting_;
    uint64_t synced_generation_ = 0;

    // Its own lock (taken inside state_mutex_, never around it): take_vanished()
    // runs on the bus loop, which must not wait for a libvirt call.
    std::mutex vanished_mutex_;
    std::vector<GuestInfo> vanished_;
};

} // namespace sevd::launcher
