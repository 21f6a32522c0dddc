// The launch service behind org.sevd.Launcher1: validates a request, builds
// its domain XML, reserves an ASID slot and locked memory atomically, and
// defines + starts the guest through libvirt. A failure with a known outcome
// releases the reservation; one whose outcome is unknown (the answer was
// lost) keeps it until a re-sync says whether the domain runs. The ledger
// follows libvirt: every running encrypted domain on the connection counts,
// sevd's or not. One per daemon, kept across configuration reloads (in-flight
// reservations carry over); every method is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/size_units.h"
#include "config/config.h"
#include "launcher/admission_ledger.h"
#include "launcher/attestation.h"
#include "launcher/domain_xml.h"
#include "launcher/image_resolver.h"
#include "launcher/launch_error.h"
#include "launcher/launch_request.h"
#include "launcher/libvirt_domains.h"
#include "launcher/libvirt_events.h"
#include "launcher/request_validator.h"
#include "probe/host_report.h"

namespace sevd::launcher {

// The machine.slice memory limit as last read: bytes in force (0 = none) and
// whether it could be read at all.
struct SliceLimit {
    uint64_t bytes = 0;
    bool known = true;
    bool operator==(const SliceLimit&) const = default;
};

// A running encrypted domain sevd did not launch: counted, listed, never stopped.
struct ForeignGuest {
    std::string name;
    std::string uuid;
    EncryptionModel model = EncryptionModel::Sev;
    std::optional<uint64_t> memory_mib; // nullopt: its <memory> is unreadable
    bool operator==(const ForeignGuest&) const = default;
};

class Launcher {
public:
    Launcher(const config::Config& config, std::unique_ptr<LibvirtDomains> client);

    // Capacities from the probe: slots per pool (total, used), launchable
    // models, cbitpos/reducedPhysBits (libvirt's when it reports SEV, else
    // CPUID's), MemTotal.
    void update_host(const probe::HostReport& report);
    // The machine.slice limit in force. None set (0): sevd admits against
    // MemTotal - reserved_host_memory_mb (what 'sevd tune' would set); when
    // that cannot be known (MemTotal unread, a reserve leaving guests
    // nothing) or the limit is unknown, nothing is admitted.
    void set_memory_limit(SliceLimit limit);
    // Both at once (tests, one-shot callers).
    void update_host(const probe::HostReport& report, uint64_t memory_limit_bytes);
    // A reloaded configuration: the ledger, the guests and the reservations
    // of launches in flight stay; the next re-sync counts running guests
    // with the new per-guest overhead.
    void reconfigure(const config::Config& config);
    // Decides and writes a new machine.slice limit as one step against the
    // ledger (see AdmissionLedger::change_memory_limit); `write` returns the
    // limit then in force.
    void change_memory_limit(const std::function<SliceLimit(std::optional<uint64_t>)>& write);

    // Validates and returns the domain XML launch() would define; reserves
    // nothing. Refuses, with launch()'s error, what could never be admitted
    // (a pool without slots, more locked memory than the limit).
    std::string plan(const LaunchRequest& request) const;
    // Throws LaunchError with the code D-Bus maps to org.sevd.Error.*.
    GuestInfo launch(const LaunchRequest& request);
    // Destroys and undefines a guest sevd launched (running, or powered off by
    // itself but still defined), by its UUID. Throws LaunchError(InvalidArgument)
    // for any other name; Libvirt when libvirt fails (the guest stays counted).
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
    // Running encrypted domains sevd did not launch, as the last re-sync saw them.
    std::vector<ForeignGuest> foreign_guests() const;
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
    // libvirt reported a domain started (sevd's launch, 'virsh start', another
    // tool): reads that domain so it is counted with its pool and memory.
    // Events must arrive in libvirt's order (one thread). Throws LaunchError(Libvirt).
    void domain_started(const DomainStarted& event);
    // Re-reads the running encrypted domains from libvirt into the ledger and
    // the guest lists (at start, after a reconnect, periodically, before a
    // launch while an outcome is unknown); settles the launches whose outcome
    // was unknown. Throws LaunchError(Libvirt).
    void resync();
    // Guests a re-sync dropped from guests() because they no longer run (they
    // stopped while no lifecycle event could arrive), each returned once, so
    // the caller can announce GuestStopped for them too. Never blocks on libvirt.
    std::vector<GuestInfo> take_vanished();

    AdmissionLedger::Usage usage() const { return ledger_.usage(); }
    // Whether the ledger may miss a guest until a re-sync: a launch's outcome
    // is being checked, a started domain could not be read, or the last
    // re-sync failed.
    bool needs_resync() const;

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
    // Every guest paused for attestation (launched so, or found so by resync()).
    std::vector<GuestInfo> attesting_guests() const;
    // [guests] attestation_timeout_s: a guest still paused after it is expired.
    std::chrono::seconds attestation_timeout() const;
    // Destroys and undefines the guest `name` when it is still the one
    // launched as `uuid` and libvirt says it is still paused, freeing its
    // slot; returns it (the caller announces GuestStopped). nullopt otherwise
    // (and the guest is no longer timed out). Throws LaunchError(Libvirt).
    std::optional<GuestInfo> expire_attestation(const std::string& name, const std::string& uuid);

private:
    struct HostView {
        ValidationContext validation;
        HostSecurity security;
        uint64_t mem_total_bytes = 0;
        SliceLimit slice;
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
    AdmissionLedger::Holding claim_of(const std::string& name, EncryptionModel model,
                                      uint64_t memory_mib) const;
    AdmissionLedger::Holding claim_of(const ValidatedRequest& request) const;
    // Runs a libvirt change for a held reservation: an unknown outcome keeps
    // it until a re-sync says whether the domain runs.
    void changing(AdmissionLedger::Reservation& held, const std::string& what,
                  const std::string& name, const std::function<void()>& change);
    AdmissionLedger::Reservation reserve(const AdmissionLedger::Holding& claim);
    std::string define_and_start(const Prepared& prepared, AdmissionLedger::Reservation& held);
    DomainRecord defined_guest(const std::string& name, const char* what);
    std::vector<OpenedImage> reopen_images(const DomainRecord& record) const;
    void resync_if_reconnected();
    void resync_locked();
    GuestInfo stopped_guest_locked(const std::string& name);
    void note_vanished_locked(const std::map<std::string, GuestInfo>& running);
    AdmissionLedger::Holding holding_of(const DomainRecord& record);
    AdmissionLedger::LimitInForce effective_limit_locked(const HostView& host) const;
    void admit_against_locked(const HostView& host);
    config::Config config() const;
    void require_attesting_locked(const std::string& name) const;

    std::unique_ptr<LibvirtDomains> client_;
    AdmissionLedger ledger_;

    mutable std::mutex host_mutex_;
    config::Config config_;
    const uint64_t page_size_ = host_page_size(); // the limit's unit (cgroups::plan_limit)
    HostView host_;

    // Guards guests_, foreign_ and the logged names; orders resync against
    // commit/keep/stop.
    mutable std::mutex state_mutex_;
    std::map<std::string, GuestInfo> guests_;
    std::vector<ForeignGuest> foreign_;
    std::set<std::string> unreadable_logged_;   // domains whose <memory> was logged unreadable
    std::map<std::string, GuestInfo> shut_off_; // sevd's guests defined but not running
    // Guests paused for attestation (a subset of guests_): name -> uuid.
    std::map<std::string, std::string> attesting_;
    uint64_t synced_generation_ = 0;
    // A STARTED domain could not be read: the ledger may miss it until a re-sync.
    std::atomic<bool> unread_start_ = false;
    // The last re-sync failed (libvirt went away mid-way): the ledger may be
    // short until one succeeds.
    std::atomic<bool> resync_failed_ = false;

    // Its own lock (taken inside state_mutex_, never around it): take_vanished()
    // runs on the bus loop, which must not wait for a libvirt call.
    std::mutex vanished_mutex_;
    std::vector<GuestInfo> vanished_;
};

} // namespace sevd::launcher
