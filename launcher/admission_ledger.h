// Admission: the ASID slots of each pool and the locked memory under the
// machine.slice limit, shared by every launch. A launch reserves both
// atomically before libvirt is called; the reservation is released on any
// failure (RAII) and becomes a running guest on commit. Thread-safe; pure
// arithmetic, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
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
    };
    // One encrypted guest's claim: its pool and its locked memory (RAM + overhead).
    struct Holding {
        std::string name;
        EncryptionModel model = EncryptionModel::Sev;
        uint64_t locked_bytes = 0;
    };
    struct PoolUsage {
        uint32_t total = 0;
        uint32_t running = 0;  // guests libvirt runs in this pool
        uint32_t reserved = 0; // launches in flight
        uint32_t used = 0;     // max(running, reported_used) + reserved
    };
    struct Usage {
        PoolUsage sev;
        PoolUsage sev_es;
        uint64_t memory_limit_bytes = 0;
        uint64_t locked_bytes = 0; // running + reserved
        const PoolUsage& pool(EncryptionModel m) const {
            return m == EncryptionModel::Sev ? sev : sev_es;
        }
    };

    // Move-only claim; released on destruction unless committed.
    class Reservation {
    public:
        Reservation(Reservation&& other) noexcept;
        Reservation& operator=(Reservation&&) = delete;
        Reservation(const Reservation&) = delete;
        ~Reservation();
        void commit(); // the guest runs: the claim becomes a running holding
        const std::string& name() const { return name_; }

    private:
        friend class AdmissionLedger;
        Reservation(AdmissionLedger* ledger, std::string name)
            : ledger_(ledger), name_(std::move(name)) {}
        AdmissionLedger* ledger_;
        std::string name_;
    };

    void set_capacity(const Capacity& capacity);
    // Replaces the running guests with what libvirt reports; launches in flight stay.
    void replace_running(const std::vector<Holding>& running);
    // Throws LaunchError: NoSlots when used >= total of the pool; InsufficientMemory
    // when locked + this > limit; InvalidArgument when the name is already held.
    Reservation reserve(const Holding& claim);
    void remove_running(const std::string& name);
    Usage usage() const;

private:
    enum class State { Reserved, Running };
    struct Entry {
        Holding holding;
        State state;
    };

    void release(const std::string& name);
    void commit(const std::string& name);
    PoolUsage pool_usage_locked(EncryptionModel model) const;
    uint64_t locked_bytes_locked() const;
    void check_slot_locked(const Holding& claim) const;
    void check_memory_locked(const Holding& claim) const;

    mutable std::mutex mutex_;
    Capacity capacity_;
    std::map<std::string, Entry> entries_;
};

} // namespace sevd::launcher
