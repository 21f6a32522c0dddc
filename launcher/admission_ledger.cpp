#include "launcher/admission_ledger.h"

#include <algorithm>

#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

std::string mib(uint64_t bytes) {
    return std::to_string(bytes / kMiB) + " MiB";
}

} // namespace

AdmissionLedger::Reservation::Reservation(Reservation&& other) noexcept
    : ledger_(other.ledger_), name_(std::move(other.name_)) {
    other.ledger_ = nullptr;
}

AdmissionLedger::Reservation::~Reservation() {
    if (ledger_ != nullptr)
        ledger_->release(name_);
}

void AdmissionLedger::Reservation::commit() {
    if (ledger_ == nullptr)
        return;
    ledger_->commit(name_);
    ledger_ = nullptr;
}

void AdmissionLedger::set_capacity(const Capacity& capacity) {
    std::lock_guard lock(mutex_);
    capacity_ = capacity;
}

void AdmissionLedger::replace_running(const std::vector<Holding>& running) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [](const auto& item) { return item.second.state == State::Running; });
    for (const auto& holding : running)
        entries_.try_emplace(holding.name, Entry{holding, State::Running}); // a reservation wins
}

AdmissionLedger::Reservation AdmissionLedger::reserve(const Holding& claim) {
    std::lock_guard lock(mutex_);
    if (entries_.contains(claim.name))
        throw LaunchError(ErrorCode::InvalidArgument,
                          "name '" + claim.name +
                              "' is already used by an encrypted guest that runs or is being "
                              "launched; choose another name");
    check_slot_locked(claim);
    check_memory_locked(claim);
    entries_.emplace(claim.name, Entry{claim, State::Reserved});
    return Reservation(this, claim.name);
}

void AdmissionLedger::remove_running(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.state == State::Running)
        entries_.erase(it);
}

AdmissionLedger::Usage AdmissionLedger::usage() const {
    std::lock_guard lock(mutex_);
    return {pool_usage_locked(EncryptionModel::Sev), pool_usage_locked(EncryptionModel::SevEs),
            capacity_.memory_limit_bytes, locked_bytes_locked()};
}

void AdmissionLedger::release(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.state == State::Reserved)
        entries_.erase(it);
}

void AdmissionLedger::commit(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end())
        it->second.state = State::Running;
}

// Slots held outside libvirt's view (reported by misc.current) still count:
// the larger of the two counts is in use.
AdmissionLedger::PoolUsage AdmissionLedger::pool_usage_locked(EncryptionModel model) const {
    const auto& pool = model == EncryptionModel::Sev ? capacity_.sev : capacity_.sev_es;
    PoolUsage usage;
    usage.total = pool.total;
    for (const auto& [name, entry] : entries_) {
        if (entry.holding.model != model)
            continue;
        ++(entry.state == State::Running ? usage.running : usage.reserved);
    }
    usage.used = std::max(usage.running, pool.reported_used) + usage.reserved;
    return usage;
}

uint64_t AdmissionLedger::locked_bytes_locked() const {
    uint64_t total = 0;
    for (const auto& [name, entry] : entries_)
        total += entry.holding.locked_bytes;
    return total;
}

void AdmissionLedger::check_slot_locked(const Holding& claim) const {
    const auto pool = pool_usage_locked(claim.model);
    if (pool.used < pool.total)
        return;
    throw LaunchError(ErrorCode::NoSlots,
                      "no free " + std::string(model_name(claim.model)) +
                          " ASID slot: " + std::to_string(pool.used) + " of " +
                          std::to_string(pool.total) + " in use (" + std::to_string(pool.running) +
                          " running, " + std::to_string(pool.reserved) +
                          " being launched); stop an encrypted guest of this model and retry");
}

void AdmissionLedger::check_memory_locked(const Holding& claim) const {
    const auto limit = capacity_.memory_limit_bytes;
    if (limit == 0)
        return;
    const auto locked = locked_bytes_locked();
    if (locked <= limit && claim.locked_bytes <= limit - locked)
        return;
    const auto free = locked < limit ? limit - locked : 0;
    throw LaunchError(ErrorCode::InsufficientMemory,
                      "guest '" + claim.name + "' needs " + mib(claim.locked_bytes) +
                          " of locked memory (RAM + per-guest overhead) but only " + mib(free) +
                          " of the " + mib(limit) + " machine.slice limit is free (" + mib(locked) +
                          " locked by encrypted guests); ask for less memory, stop a guest, "
                          "or lower reserved_host_memory_mb and re-run 'sevd tune'");
}

} // namespace sevd::launcher
