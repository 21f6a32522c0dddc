// Admission: the ASID slots of each pool and the locked memory under the
// machine.slice limit, shared by every launch. A launch reserves both
// atomically before libvirt is called; the reservation is released on a
// failure whose outcome is known (RAII), becomes a running guest on commit,
// and is kept when the outcome is unknown (a helper timed out or crashed
// during define+start) until a re-sync says whether the domain runs.
// Thread-safe; pure arithmetic, no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "probe/encryption_model.h"

namespace sevd::launcher {

class AdmissionLedger {
public:
    struct PoolCapacity {
        uint32_t total = 0;         // usable ASID slots (HostReport slots.total)
        uint32_t reported_used = 0; // slots.used from the probe (misc.current), a floor
    };
    struct Capacity {
        PoolCapacity sev;
        PoolCapacity sev_es;
        uint64_t memory_limit_bytes = 0; // 0: no limit
        // False when the memory guests may lock is not known: nothing is admitted.
        bool memory_limit_known = true;
        // Why it is not known, with the fix; empty: the machine.slice limit
        // could not be read.
        std::string memory_limit_unknown_why;
    };
    // One encrypted guest's claim: its pool and its locked memory (RAM + overhead).
    struct Holding {
        std::string name;
        EncryptionModel model = EncryptionModel::Sev;
        // nullopt: unreadable (a domain whose <memory> sevd cannot parse); it
        // is counted as filling the whole limit, never as 0.
        std::optional<uint64_t> locked_bytes;
    };
    struct PoolUsage {
        uint32_t total = 0;
        uint32_t running = 0;  // guests libvirt runs in this pool
        uint32_t reserved = 0; // launches in flight, and outcomes still being checked
        uint32_t used = 0;     // max(running, reported_used) + reserved
    };
    struct Usage {
        PoolUsage sev;
        PoolUsage sev_es;
        uint64_t memory_limit_bytes = 0;
        bool memory_limit_known = true;
        uint64_t locked_bytes = 0;         // running + reserved, those known
        std::vector<std::string> unknown;  // holdings whose locked memory is unreadable
        std::vector<std::string> checking; // reservations whose launch outcome is unknown
        const PoolUsage& pool(EncryptionModel m) const {
            return m == EncryptionModel::Sev ? sev : sev_es;
        }
    };

    // Move-only claim; released on destruction unless committed or kept.
    class Reservation {
    public:
        Reservation(Reservation&& other) noexcept;
        Reservation& operator=(Reservation&&) = delete;
        Reservation(const Reservation&) = delete;
        ~Reservation();
        void commit(); // the guest runs: the claim becomes a running holding
        // The launch's outcome is unknown: the claim stays until a re-sync
        // (replace_running) finds the domain running or not.
        void keep_until_resync();
        const std::string& name() const { return name_; }

    private:
        friend class AdmissionLedger;
        Reservation(AdmissionLedger* ledger, std::string name)
            : ledger_(ledger), name_(std::move(name)) {}
        AdmissionLedger* ledger_;
        std::string name_;
    };

    void set_capacity(const Capacity& capacity);
    // Sets the memory limit (bytes, 0 none; known) alone, the pools unchanged.
    // The memory guests may lock: bytes (0 = no limit), or unknown with why.
    struct LimitInForce {
        uint64_t bytes = 0;
        bool known = true;
        std::string unknown_why; // as Capacity::memory_limit_unknown_why
    };
    void set_memory_limit(const LimitInForce& limit);
    // Replaces the running guests with what libvirt reports. Launches in
    // flight stay; an outcome being checked becomes running when listed and
    // is dropped when not (the listing is the answer).
    void replace_running(const std::vector<Holding>& running);
    // Throws LaunchError: NoSlots when used >= total of the pool; InsufficientMemory
    // when locked + this > limit, or the limit or a holding is unknown;
    // InvalidArgument when the name is already held.
    Reservation reserve(const Holding& claim);
    // Whether `claim` could be admitted on an idle host (nothing else
    // running): throws what reserve() would (NoSlots for a pool of 0 slots,
    // InsufficientMemory above the limit). Reserves nothing.
    void check_ever_admissible(const Holding& claim) const;
    // A guest libvirt reports started: counted as running unless a launch in
    // flight holds its name (the launch's claim stands); an outcome being
    // checked is settled as running, a running entry of that name replaced.
    void add_running(const Holding& holding);
    void remove_running(const std::string& name);
    Usage usage() const;
    // Whether a launch's outcome is being checked (usage().checking not empty).
    bool any_checking() const;

    // The new machine.slice limit is decided and written as one step against
    // the ledger: `write` gets the locked bytes every guest and reservation
    // holds (nullopt when one is unreadable) and returns the limit then in
    // force {bytes, known}; no reservation is admitted while it runs (a
    // launch waits), and it is admitted against the new limit after. What
    // `write` throws propagates; the limit is then unknown until set again.
    void change_memory_limit(const std::function<LimitInForce(std::optional<uint64_t>)>& write);

private:
    enum class State { Reserved, Running, Checking };
    struct Entry {
        Holding holding;
        State state;
    };

    void release(const std::string& name);
    void settle(const std::string& name, State state);
    PoolUsage pool_usage_locked(EncryptionModel model) const;
    std::optional<uint64_t> locked_bytes_locked() const;
    void check_slot(const Holding& claim, const PoolUsage& pool) const;
    void check_memory(const Holding& claim, std::optional<uint64_t> locked) const;
    void check_limit_known_locked(const Holding& claim) const;

    // Taken first by reserve() and change_memory_limit(): a limit change and
    // an admission never interleave. Releases and usage() take only mutex_.
    std::mutex admission_mutex_;
    mutable std::mutex mutex_;
    Capacity capacity_;
    std::map<std::string, Entry> entries_;
};

} // namespace sevd::launcher
