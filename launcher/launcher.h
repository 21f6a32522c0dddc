// The launch service behind org.sevd.Launcher1: validates a request, builds
// its domain XML, reserves an ASID slot and locked memory atomically, and
// defines + starts the guest through libvirt, releasing the reservation on
// any failure. One per daemon; every method is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "launcher/admission_ledger.h"
#include "launcher/domain_xml.h"
#include "launcher/image_resolver.h"
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
    // Starts a guest sevd defined that is powered off, admitted exactly like a
    // launch (model launchable, a slot, memory; refused with the same named
    // errors). Its images are opened again beneath the image directories and
    // must still form the chain its XML states. Throws LaunchError.
    GuestInfo start(const std::string& name);
    // Asks a running guest sevd launched to power off (ACPI); it stays
    // defined. Its slot and memory are freed when libvirt reports it stopped.
    GuestInfo shutdown(const std::string& name);
    // Running guests sevd launched, by name.
    std::vector<GuestInfo> guests() const;
    // Every guest sevd defined, running or powered off, by name (as of the
    // last re-sync and the changes sevd saw since). Never calls libvirt.
    std::vector<DefinedGuest> all_guests() const;
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

private:
    struct HostView {
        ValidationContext validation;
        HostSecurity security;
    };
    // The request checked, its images open (the descriptors libvirt is
    // given), and the XML naming them.
    struct Prepared {
        ValidatedRequest request;
        OpenedImage disk;
        std::optional<OpenedImage> seed;
        std::string xml;
        std::vector<FdGroup> fd_groups() const;
    };

    Prepared prepare(const LaunchRequest& request) const;
    AdmissionLedger::Reservation reserve(const AdmissionLedger::Holding& claim);
    DomainRecord defined_guest(const std::string& name, const char* what);
    std::vector<OpenedImage> reopen_images(const DomainRecord& record) const;
    void resync_if_reconnected();
    GuestInfo stopped_guest_locked(const std::string& name);
    void note_vanished_locked(const std::map<std::string, GuestInfo>& running);
    uint64_t locked_bytes(uint64_t memory_mib) const;

    const config::Config config_;
    std::unique_ptr<LibvirtDomains> client_;
    AdmissionLedger ledger_;

    mutable std::mutex host_mutex_;
    HostView host_;

    // Guards guests_ and orders resync against commit/stop.
    mutable std::mutex state_mutex_;
    std::map<std::string, GuestInfo> guests_;
    std::map<std::string, GuestInfo> shut_off_; // sevd's guests defined but not running
    uint64_t synced_generation_ = 0;

    // Its own lock (taken inside state_mutex_, never around it): take_vanished()
    // runs on the bus loop, which must not wait for a libvirt call.
    std::mutex vanished_mutex_;
    std::vector<GuestInfo> vanished_;
};

} // namespace sevd::launcher
