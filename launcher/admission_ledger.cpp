#include "launcher/admission_ledger.h"

#include <algorithm>

#include "common/size_units.h"
#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

std::string mib(uint64_t bytes) {
    return std::to_string(bytes / kMiB) + " MiB";
}

uint64_t saturating_add(uint64_t a, uint64_t b) {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
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
    ledger_->settle(name_, State::Running);
    ledger_ = nullptr;
}

void AdmissionLedger::Reservation::keep_until_resync() {
    if (ledger_ == nullptr)
        return;
    ledger_->settle(name_, State::Checking);
    ledger_ = nullptr;
}

void AdmissionLedger::set_capacity(const Capacity& capacity) {
    std::lock_guard lock(mutex_);
    capacity_ = capacity;
}

void AdmissionLedger::set_memory_limit(const LimitInForce& limit) {
    std::lock_guard lock(mutex_);
    capacity_.memory_limit_bytes = limit.bytes;
    capacity_.memory_limit_known = limit.known;
    capacity_.memory_limit_unknown_why = limit.unknown_why;
}

void AdmissionLedger::replace_running(const std::vector<Holding>& running) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [](const auto& item) { return item.second.state != State::Reserved; });
    for (const auto& holding : running)
        entries_.try_emplace(holding.name, Entry{holding, State::Running}); // a reservation wins
}

AdmissionLedger::Reservation AdmissionLedger::reserve(const Holding& claim) {
    std::lock_guard admission(admission_mutex_);
    std::lock_guard lock(mutex_);
    if (entries_.contains(claim.name))
        throw LaunchError(ErrorCode::InvalidArgument,
                          "name '" + claim.name +
                              "' is already used by an encrypted guest that runs or is being "
                              "launched; choose another name");
    check_limit_known_locked(claim);
    check_slot(claim, pool_usage_locked(claim.model));
    check_memory(claim, locked_bytes_locked());
    entries_.emplace(claim.name, Entry{claim, State::Reserved});
    return Reservation(this, claim.name);
}

void AdmissionLedger::check_ever_admissible(const Holding& claim) const {
    std::lock_guard lock(mutex_);
    check_limit_known_locked(claim);
    const auto& pool = claim.model == EncryptionModel::Sev ? capacity_.sev : capacity_.sev_es;
    check_slot(claim, PoolUsage{pool.total, 0, 0, 0});
    check_memory(claim, uint64_t{0});
}

void AdmissionLedger::add_running(const Holding& holding) {
    std::lock_guard lock(mutex_);
    const auto [it, added] = entries_.try_emplace(holding.name, Entry{holding, State::Running});
    if (!added && it->second.state != State::Reserved)
        it->second = Entry{holding, State::Running};
}

void AdmissionLedger::remove_running(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.state == State::Running)
        entries_.erase(it);
}

bool AdmissionLedger::any_checking() const {
    std::lock_guard lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(),
                       [](const auto& item) { return item.second.state == State::Checking; });
}

AdmissionLedger::Usage AdmissionLedger::usage() const {
    std::lock_guard lock(mutex_);
    Usage usage{pool_usage_locked(EncryptionModel::Sev),
                pool_usage_locked(EncryptionModel::SevEs),
                capacity_.memory_limit_bytes,
                capacity_.memory_limit_known,
                0,
                {},
                {}};
    for (const auto& [name, entry] : entries_) {
        if (!entry.holding.locked_bytes)
            usage.unknown.push_back(name);
        else
            usage.locked_bytes = saturating_add(usage.locked_bytes, *entry.holding.locked_bytes);
        if (entry.state == State::Checking)
            usage.checking.push_back(name);
    }
    return usage;
}

void AdmissionLedger::change_memory_limit(
    const std::function<LimitInForce(std::optional<uint64_t>)>& write) {
    std::lock_guard admission(admission_mutex_);
    std::optional<uint64_t> locked;
    {
        std::lock_guard lock(mutex_);
        locked = locked_bytes_locked();
    }
    // Releases meanwhile only lower what is locked; admissions wait.
    LimitInForce after;
    try {
        after = write(locked);
    } catch (...) {
        set_memory_limit({0, false, {}});
        throw;
    }
    set_memory_limit(after);
}

void AdmissionLedger::release(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.state == State::Reserved)
        entries_.erase(it);
}

void AdmissionLedger::settle(const std::string& name, State state) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it != entries_.end())
        it->second.state = state;
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

// nullopt when a holding's memory is unreadable. Every holding is below
// 2^45 bytes (request and config bounds) or was checked when parsed, and a
// map holds far fewer than 2^18 of them, so the sum cannot wrap; it still
// saturates rather than trust that.
std::optional<uint64_t> AdmissionLedger::locked_bytes_locked() const {
    uint64_t total = 0;
    for (const auto& [name, entry] : entries_) {
        const auto bytes = entry.holding.locked_bytes;
        if (!bytes)
            return std::nullopt;
        total = saturating_add(total, *bytes);
    }
    return total;
}

void AdmissionLedger::check_limit_known_locked(const Holding& claim) const {
    if (capacity_.memory_limit_known)
        return;
    const std::string why =
        capacity_.memory_limit_unknown_why.empty()
            ? "the machine.slice memory limit could not be read, so sevd cannot tell how much "
              "memory may be locked; check that the memory cgroup is readable (journalctl -u "
              "sevd says why) and retry"
            : capacity_.memory_limit_unknown_why;
    throw LaunchError(ErrorCode::InsufficientMemory,
                      "guest '" + claim.name + "' cannot be admitted: " + why);
}

void AdmissionLedger::check_slot(const Holding& claim, const PoolUsage& pool) const {
    if (pool.used < pool.total)
        return;
    throw LaunchError(ErrorCode::NoSlots,
                      "no free " + std::string(model_name(claim.model)) + " ASID slot: " +
                          std::to_string(pool.used) + " of " + std::to_string(pool.total) +
                          " in use (" + std::to_string(pool.running) + " running, " +
                          std::to_string(pool.reserved) + " being launched or checked); " +
                          (pool.total == 0 ? "this host has no slot of this model at all; "
                                             "choose another model"
                                           : "stop an encrypted guest of this model and retry"));
}

void AdmissionLedger::check_memory(const Holding& claim, std::optional<uint64_t> locked) const {
    const auto limit = capacity_.memory_limit_bytes;
    if (limit == 0)
        return;
    if (!locked)
        throw LaunchError(ErrorCode::InsufficientMemory,
                          "guest '" + claim.name +
                              "' cannot be admitted: a running encrypted domain's memory size "
                              "could not be read, so sevd counts it as filling the " +
                              mib(limit) +
                              " machine.slice limit; see the log for which, and "
                              "stop it or fix its <memory> element");
    const uint64_t need = claim.locked_bytes.value_or(UINT64_MAX);
    if (*locked <= limit && need <= limit - *locked)
        return;
    const auto free = *locked < limit ? limit - *locked : 0;
    throw LaunchError(ErrorCode::InsufficientMemory,
                      "guest '" + claim.name + "' needs " + mib(need) +
                          " of locked memory (RAM + per-guest overhead) but only " + mib(free) +
                          " of the " + mib(limit) + " machine.slice limit is free (" +
                          mib(*locked) + " locked by encrypted guests" +
                          (*locked == 0 ? ", none running" : "") +
                          "); ask for less memory, stop a guest, or lower "
                          "reserved_host_memory_mb and re-run 'sevd tune'");
}

} // namespace sevd::launcher
