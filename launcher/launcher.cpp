#include "launcher/launcher.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "launcher/image_resolver.h"
#include "launcher/model_support.h"
#include "launcher/utf8_text.h"

namespace sevd::launcher {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr const char* kNotProbed =
    "the host has not been probed yet; retry once sevd has read the host's capabilities";

bool is_admission_refusal(const LaunchError& e) {
    return e.code() == ErrorCode::NoSlots || e.code() == ErrorCode::InsufficientMemory;
}

} // namespace

Launcher::Launcher(const config::Config& config, std::unique_ptr<LibvirtDomains> client)
    : config_(config), client_(std::move(client)) {
    host_.validation.default_machine_type = config_.machine_type;
    host_.validation.sev = {false, std::string("amd-sev: ") + kNotProbed};
    host_.validation.sev_es = {false, std::string("amd-sev-es: ") + kNotProbed};
}

void Launcher::update_host(const probe::HostReport& report, uint64_t memory_limit_bytes) {
    HostView view;
    view.validation.default_machine_type = config_.machine_type;
    view.validation.sev = model_support(report, EncryptionModel::Sev);
    view.validation.sev_es = model_support(report, EncryptionModel::SevEs);
    // QEMU hard-codes reducedPhysBits; libvirt reports what QEMU will accept.
    const bool from_libvirt = report.libvirt.available && report.libvirt.sev;
    view.security.cbitpos = from_libvirt ? report.libvirt.cbitpos : report.cpu.cbitpos;
    view.security.reduced_phys_bits =
        from_libvirt ? report.libvirt.reduced_phys_bits : report.cpu.reduced_phys_bits;

    const uint64_t reserve = config_.reserved_host_memory_mb * kMiB;
    uint64_t limit = memory_limit_bytes;
    if (limit == 0 && report.mem_total_bytes > reserve)
        limit = report.mem_total_bytes - reserve;
    ledger_.set_capacity({{report.sev_slots.total, report.sev_slots.used},
                          {report.sev_es_slots.total, report.sev_es_slots.used},
                          limit});
    std::lock_guard lock(host_mutex_);
    host_ = std::move(view);
}

Launcher::Prepared Launcher::prepare(const LaunchRequest& request) const {
    HostView host;
    {
        std::lock_guard lock(host_mutex_);
        host = host_;
    }
    auto validated = validate_request(request, host.validation);
    const auto image = resolve_image(validated.disk, config_.image_dirs);
    auto xml = build_domain_xml(validated, image, host.security);
    return {std::move(validated), std::move(xml)};
}

std::string Launcher::plan(const LaunchRequest& request) const {
    return prepare(request).xml;
}

uint64_t Launcher::locked_bytes(uint64_t memory_mib) const {
    return (memory_mib + config_.guest_overhead_mb) * kMiB;
}

// A guest that shut itself down is released by its lifecycle event
// (domain_stopped); without events (or when one was missed while the
// connection was down) it counts until the next re-sync, so a refusal
// re-reads libvirt once before it stands.
AdmissionLedger::Reservation Launcher::reserve(const ValidatedRequest& request) {
    const AdmissionLedger::Holding claim{request.name, request.model,
                                         locked_bytes(request.memory_mib)};
    try {
        return ledger_.reserve(claim);
    } catch (const LaunchError& e) {
        if (!is_admission_refusal(e))
            throw;
    }
    resync();
    return ledger_.reserve(claim);
}

GuestInfo Launcher::launch(const LaunchRequest& request) {
    try {
        auto prepared = prepare(request);
        resync_if_reconnected();
        auto reservation = reserve(prepared.request);
        if (client_->domain_exists(prepared.request.name))
            throw LaunchError(ErrorCode::InvalidArgument,
                              "a domain named '" + prepared.request.name +
                                  "' is already defined in libvirt; choose another name");
        const auto uuid = start_domain(prepared.request, prepared.xml);
        const GuestInfo info{prepared.request.name, uuid, prepared.request.model,
                             prepared.request.memory_mib};
        std::lock_guard lock(state_mutex_);
        reservation.commit();
        guests_[info.name] = info;
        if (prepared.request.attestation)
            attesting_[info.name] = uuid;
        spdlog::info("launched {} guest '{}' ({} MiB, uuid {})", model_name(info.model), info.name,
                     info.memory_mib, info.uuid);
        return info;
    } catch (const LaunchError& e) {
        spdlog::warn("launch of '{}' refused ({}): {}", request.name, error_name(e.code()),
                     e.what());
        throw;
    }
}

GuestInfo Launcher::stop(const std::string& name) {
    if (!is_valid_guest_name(name))
        throw LaunchError(ErrorCode::InvalidArgument,
                          "name '" + printable(name) + "' is not a guest name");
    resync_if_reconnected();
    std::lock_guard lock(state_mutex_);
    auto it = guests_.find(name);
    const auto info = it != guests_.end() ? it->second : stopped_guest_locked(name);
    if (!client_->destroy_and_undefine(name))
        spdlog::info("guest '{}' was already gone from libvirt", name);
    ledger_.remove_running(name);
    guests_.erase(name);
    attesting_.erase(name);
    spdlog::info("stopped guest '{}' (uuid {})", name, info.uuid);
    return info;
}

// Not in the list: a guest sevd launched that powered itself off stays
// defined in libvirt (or the list is stale); stop() removes it too, so its
// name can be used again.
GuestInfo Launcher::stopped_guest_locked(const std::string& name) {
    const auto record = client_->find_domain(name);
    if (!record || !record->launched_by_sevd || !record->pool)
        throw LaunchError(ErrorCode::InvalidArgument,
                          "no guest '" + name + "' launched by sevd; see 'sevdctl guests'");
    return {record->name, record->uuid, *record->pool, record->memory_mib};
}

std::vector<GuestInfo> Launcher::guests() const {
    std::lock_guard lock(state_mutex_);
    std::vector<GuestInfo> list;
    for (const auto& [name, info] : guests_)
        list.push_back(info);
    return list;
}

std::optional<GuestInfo> Launcher::domain_stopped(const DomainStopped& event) {
    std::lock_guard lock(state_mutex_);
    const auto it = guests_.find(event.name);
    if (it != guests_.end() && it->second.uuid != event.uuid)
        return std::nullopt; // a stale event: the guest listed under that name runs
    // Any encrypted domain frees its slot when it stops, not only sevd's;
    // a launch in flight under that name keeps its reservation.
    ledger_.remove_running(event.name);
    if (it == guests_.end())
        return std::nullopt;
    auto info = it->second;
    guests_.erase(it);
    attesting_.erase(event.name);
    spdlog::info("guest '{}' (uuid {}) {}: its {} slot and {} MiB of locked memory are free",
                 info.name, info.uuid, event.reason, model_name(info.model), info.memory_mib);
    return info;
}

void Launcher::resync() {
    std::lock_guard lock(state_mutex_);
    const auto records = client_->list_encrypted_running();
    std::vector<AdmissionLedger::Holding> running;
    std::map<std::string, GuestInfo> ours;
    for (const auto& record : records) {
        running.push_back({record.name, *record.pool, locked_bytes(record.memory_mib)});
        if (record.launched_by_sevd)
            ours[record.name] = {record.name, record.uuid, *record.pool, record.memory_mib};
    }
    ledger_.replace_running(running);
    note_vanished_locked(ours);
    std::erase_if(attesting_, [&](const auto& entry) {
        const auto it = ours.find(entry.first);
        return it == ours.end() || it->second.uuid != entry.second;
    });
    guests_ = std::move(ours);
    synced_generation_ = client_->generation();
}

// Listed guests a re-sync no longer finds running stopped while no event could
// tell (the connection was down, or events are off).
void Launcher::note_vanished_locked(const std::map<std::string, GuestInfo>& running) {
    std::lock_guard lock(vanished_mutex_);
    for (const auto& [name, info] : guests_) {
        const auto it = running.find(name);
        if (it == running.end() || it->second.uuid != info.uuid) {
            spdlog::info("guest '{}' (uuid {}) stopped while sevd could not watch libvirt; its "
                         "slot and memory are free",
                         name, info.uuid);
            vanished_.push_back(info);
        }
    }
}

std::vector<GuestInfo> Launcher::take_vanished() {
    std::lock_guard lock(vanished_mutex_);
    return std::exchange(vanished_, {});
}

void Launcher::resync_if_reconnected() {
    client_->ensure_connected();
    {
        std::lock_guard lock(state_mutex_);
        if (synced_generation_ == client_->generation())
            return;
    }
    spdlog::info("connected to libvirt at '{}'; re-reading running encrypted guests",
                 client_->uri());
    resync();
}

} // namespace sevd::launcher
