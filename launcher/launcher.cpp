#include "launcher/launcher.h"

#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

#include "cgroups/limit_plan.h"
#include "common/size_units.h"
#include "common/text.h"
#include "launcher/image_resolver.h"
#include "launcher/model_support.h"
#include "probe/locked_memory.h"

namespace sevd::launcher {
namespace {

constexpr const char* kNotProbed =
    "the host has not been probed yet; retry once sevd has read the host's capabilities";

std::string being_checked(const std::string& what, const std::string& name, const LaunchError& e) {
    return what + " of '" + name + "' has an unknown outcome (" + e.what() +
           "); the outcome is being checked: sevd keeps its ASID slot and locked memory reserved "
           "until libvirt says whether it runs; see 'sevdctl guests' in a moment before retrying";
}

} // namespace

Launcher::Launcher(const config::Config& config, std::unique_ptr<LibvirtDomains> client)
    : client_(std::move(client)), config_(config) {
    host_.validation.default_machine_type = config_.machine_type;
    host_.validation.networks = config_.networks;
    host_.validation.sev = {false, std::string("amd-sev: ") + kNotProbed};
    host_.validation.sev_es = {false, std::string("amd-sev-es: ") + kNotProbed};
    host_.validation.sev_snp = {false, std::string("amd-sev-snp: ") + kNotProbed};
}

config::Config Launcher::config() const {
    std::lock_guard lock(host_mutex_);
    return config_;
}

void Launcher::update_host(const probe::HostReport& report) {
    std::lock_guard lock(host_mutex_);
    host_.validation.default_machine_type = config_.machine_type;
    host_.validation.networks = config_.networks;
    host_.validation.sev = model_support(report, EncryptionModel::Sev);
    host_.validation.sev_es = model_support(report, EncryptionModel::SevEs);
    host_.validation.sev_snp = model_support(report, EncryptionModel::SevSnp);
    // QEMU hard-codes reducedPhysBits; libvirt reports what QEMU will accept.
    const bool from_libvirt = report.libvirt.available && report.libvirt.sev;
    host_.security.cbitpos = from_libvirt ? report.libvirt.cbitpos : report.cpu.cbitpos;
    host_.security.reduced_phys_bits =
        from_libvirt ? report.libvirt.reduced_phys_bits : report.cpu.reduced_phys_bits;
    host_.mem_total_bytes = report.mem_total_bytes;
    const auto limit = effective_limit_locked(host_);
    // Only the kernel's count is a floor: a count of libvirt's guests from an
    // earlier reading would hold a slot the ledger saw freed since.
    const auto floor = [](const probe::SlotCount& slots) {
        return slots.used_by_kernel ? slots.used : 0;
    };
    ledger_.set_capacity({{report.sev_slots.total, floor(report.sev_slots)},
                          {report.sev_es_slots.total, floor(report.sev_es_slots)},
                          limit.bytes,
                          limit.known,
                          limit.unknown_why});
}

void Launcher::set_memory_limit(SliceLimit limit) {
    std::lock_guard lock(host_mutex_);
    host_.slice = limit;
    admit_against_locked(host_);
}

void Launcher::update_host(const probe::HostReport& report, uint64_t memory_limit_bytes) {
    update_host(report);
    set_memory_limit({memory_limit_bytes, true});
}

void Launcher::reconfigure(const config::Config& config) {
    std::lock_guard lock(host_mutex_);
    config_ = config;
    host_.validation.default_machine_type = config_.machine_type;
    host_.validation.networks = config_.networks;
    admit_against_locked(host_);
}

// With no limit on machine.slice yet, admission counts the one sevd-tune would
// apply (cgroups' plan_limit: MemTotal - reserve in whole pages). Without
// MemTotal, or with a reserve that leaves guests nothing, what guests may lock
// is not known: nothing is admitted, never everything.
AdmissionLedger::LimitInForce Launcher::effective_limit_locked(const HostView& host) const {
    if (!host.slice.known)
        return {0, false, {}};
    if (host.slice.bytes != 0)
        return {host.slice.bytes, true, {}};
    if (host.mem_total_bytes == 0)
        return {0, false,
                "machine.slice has no memory limit and MemTotal could not be read, so sevd "
                "cannot tell how much memory may be locked; `sevd probe` says why /proc/meminfo "
                "is unreadable"};
    const auto plan = cgroups::plan_limit(host.mem_total_bytes, config_.reserved_host_memory_mb,
                                          page_size_, 0, "[memory] reserved_host_memory_mb");
    if (!plan.ok())
        return {0, false,
                "machine.slice has no memory limit, and " + plan.refusal + "; " + plan.hint};
    return {plan.limit_bytes, true, {}};
}

// Under host_mutex_, so the ledger always ends with the latest view's limit.
void Launcher::admit_against_locked(const HostView& host) {
    ledger_.set_memory_limit(effective_limit_locked(host));
}

void Launcher::change_memory_limit(
    const std::function<SliceLimit(std::optional<uint64_t>)>& write) {
    ledger_.change_memory_limit([&](std::optional<uint64_t> locked) {
        const SliceLimit slice = write(locked);
        std::lock_guard lock(host_mutex_);
        host_.slice = slice;
        return effective_limit_locked(host_);
    });
}

Launcher::Prepared Launcher::prepare(const LaunchRequest& request) const {
    HostView host;
    std::vector<std::filesystem::path> image_dirs;
    {
        std::lock_guard lock(host_mutex_);
        host = host_;
        image_dirs = config_.image_dirs;
    }
    Prepared prepared;
    prepared.request = validate_request(request, host.validation);
    const auto& checked = prepared.request;
    prepared.disk =
        open_image(checked.disk, checked.disk_format, image_dirs, {"disk", "disk", true});
    if (!checked.seed.empty())
        prepared.seed =
            open_image(checked.seed, ImageFormat::Raw, image_dirs, {"seed", "seed", false});
    prepared.xml =
        build_domain_xml(checked, prepared.disk.image, host.security,
                         prepared.seed ? std::optional(prepared.seed->image) : std::nullopt);
    return prepared;
}

std::vector<FdGroup> Launcher::Prepared::fd_groups() const {
    std::vector<FdGroup> groups;
    for (const OpenedImage* image : {&disk, seed ? &*seed : nullptr}) {
        if (image == nullptr)
            continue;
        for (size_t i = 0; i < image->fds.size(); ++i)
            if (!image->image.chain[i].fd_group.empty())
                groups.push_back({image->image.chain[i].fd_group, image->fds[i].get()});
    }
    return groups;
}

AdmissionLedger::Holding Launcher::claim_of(const std::string& name, EncryptionModel model,
                                            uint64_t memory_mib) const {
    const auto bytes = probe::locked_bytes_of_mib(memory_mib, config().guest_overhead_mb);
    if (!bytes) // unreachable within the request and config bounds
        throw LaunchError(ErrorCode::InvalidArgument,
                          "memory " + std::to_string(memory_mib) +
                              " MiB plus the per-guest overhead does not fit 64 bits");
    // The ledger counts ASID pools: an SNP guest holds a SEV-ES ASID.
    return {name, asid_pool(model), *bytes};
}

AdmissionLedger::Holding Launcher::claim_of(const ValidatedRequest& request) const {
    return claim_of(request.name, request.model, request.memory_mib);
}

std::string Launcher::plan(const LaunchRequest& request) const {
    auto prepared = prepare(request);
    ledger_.check_ever_admissible(claim_of(prepared.request));
    return std::move(prepared.xml);
}

// Admission counts the ledger as libvirt's events and the periodic re-sync
// keep it, without re-reading every domain (a launch costs the same at 1 and
// at 1,000 guests). It re-reads first only when the ledger may miss a guest:
// after a reconnect (events were lost), after a started domain could not be
// read, and while a launch's outcome is being checked (the listing settles it).
AdmissionLedger::Reservation Launcher::reserve(const AdmissionLedger::Holding& claim) {
    resync_if_reconnected();
    if (needs_resync())
        resync();
    return ledger_.reserve(claim);
}

bool Launcher::needs_resync() const {
    return unread_start_ || resync_failed_ || ledger_.any_checking();
}

// An unknown outcome keeps the reservation (under state_mutex_, so a re-sync
// listing either ran before, and will run again, or sees it kept).
std::string Launcher::define_and_start(const Prepared& prepared,
                                       AdmissionLedger::Reservation& held) {
    std::string uuid;
    changing(held, "define+start", prepared.request.name, [&] {
        // A launch for attestation waits paused for its owner (attestation.h).
        uuid = prepared.request.attestation
                   ? client_->define_and_start_paused(prepared.xml, prepared.fd_groups())
                   : client_->define_and_start(prepared.xml, prepared.fd_groups());
    });
    return uuid;
}

void Launcher::changing(AdmissionLedger::Reservation& held, const std::string& what,
                        const std::string& name, const std::function<void()>& change) {
    try {
        change();
    } catch (const LaunchError& e) {
        if (!e.outcome_unknown())
            throw;
        {
            std::lock_guard lock(state_mutex_);
            held.keep_until_resync();
        }
        throw LaunchError(ErrorCode::Libvirt, being_checked(what, name, e), Outcome::Unknown);
    }
}

GuestInfo Launcher::launch(const LaunchRequest& request) {
    try {
        auto prepared = prepare(request);
        auto reservation = reserve(claim_of(prepared.request));
        if (client_->domain_exists(prepared.request.name))
            throw LaunchError(ErrorCode::InvalidArgument,
                              "a domain named '" + prepared.request.name +
                                  "' is already defined in libvirt; choose another name");
        const auto uuid = define_and_start(prepared, reservation);
        const GuestInfo info{prepared.request.name, uuid, prepared.request.model,
                             prepared.request.memory_mib};
        std::lock_guard lock(state_mutex_);
        reservation.commit();
        guests_[info.name] = info;
        shut_off_.erase(info.name);
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
    try {
        if (!client_->destroy_and_undefine(info.uuid))
            spdlog::info("guest '{}' (uuid {}) was already gone from libvirt", name, info.uuid);
    } catch (const LaunchError& e) {
        if (!e.outcome_unknown())
            throw; // libvirt said no: the guest still runs and stays counted
        throw LaunchError(ErrorCode::Libvirt, being_checked("destroy+undefine", name, e),
                          Outcome::Unknown);
    }
    ledger_.remove_running(name);
    guests_.erase(name);
    shut_off_.erase(name);
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
    list.reserve(guests_.size());
    for (const auto& [name, info] : guests_)
        list.push_back(info);
    return list;
}

std::vector<DefinedGuest> Launcher::all_guests() const {
    std::lock_guard lock(state_mutex_);
    std::map<std::string, DefinedGuest> all;
    for (const auto& [name, info] : shut_off_)
        all[name] = {info, false};
    for (const auto& [name, info] : guests_)
        all[name] = {info, true};
    std::vector<DefinedGuest> list;
    for (auto& [name, guest] : all)
        list.push_back(std::move(guest));
    return list;
}

// A guest sevd defined; `what` ("start", "shut down") names the refused action.
DomainRecord Launcher::defined_guest(const std::string& name, const char* what) {
    if (!is_valid_guest_name(name))
        throw LaunchError(ErrorCode::InvalidArgument,
                          "name '" + printable(name) + "' is not a guest name");
    auto record = client_->find_domain(name);
    if (!record || !record->launched_by_sevd || !record->pool)
        throw LaunchError(ErrorCode::InvalidArgument,
                          std::string("cannot ") + what + " '" + name +
                              "': no guest of that name was launched by sevd; see 'sevdctl "
                              "guests --all'");
    return std::move(*record);
}

// The images the domain states, opened again as at launch: a file that moved,
// changed format or gained another backing file since is refused.
std::vector<OpenedImage> Launcher::reopen_images(const DomainRecord& record) const {
    const auto image_dirs = config().image_dirs;
    std::vector<OpenedImage> opened;
    for (const auto& disk : record.disks) {
        const auto& top = disk.image.chain.front();
        auto image =
            open_image(top.path, top.format, image_dirs,
                       {"image of guest '" + record.name + "'", top.fd_group, !disk.read_only});
        auto recorded = disk.image;
        for (size_t i = 0; i < recorded.chain.size() && i < image.image.chain.size(); ++i)
            recorded.chain[i].fd_group = image.image.chain[i].fd_group = "";
        if (image.image != recorded)
            throw LaunchError(ErrorCode::InvalidArgument,
                              "cannot start '" + record.name + "': its image '" + top.path +
                                  "' no longer has the backing chain it was launched with; "
                                  "stop the guest and launch it again");
        opened.push_back(std::move(image));
    }
    return opened;
}

GuestInfo Launcher::start(const std::string& name) {
    try {
        resync_if_reconnected();
        const auto record = defined_guest(name, "start");
        if (record.active)
            throw LaunchError(ErrorCode::InvalidArgument,
                              "guest '" + name + "' is already running");
        if (!record.memory_known)
            throw LaunchError(ErrorCode::InvalidArgument,
                              "cannot start '" + name +
                                  "': its memory size cannot be read from libvirt's XML; stop "
                                  "it and launch it again");
        HostView host;
        {
            std::lock_guard lock(host_mutex_);
            host = host_;
        }
        const auto& support = host.validation.support(*record.pool);
        if (!support.launchable)
            throw LaunchError(support.refusal, support.reason);
        const auto images = reopen_images(record);
        std::vector<FdGroup> fds;
        for (size_t d = 0; d < images.size(); ++d)
            for (size_t i = 0; i < images[d].fds.size(); ++i)
                if (const auto& group = record.disks[d].image.chain[i].fd_group; !group.empty())
                    fds.push_back({group, images[d].fds[i].get()});
        auto reservation = reserve(claim_of(name, *record.pool, record.memory_mib));
        changing(reservation, "start", name, [&] { client_->start(name, fds); });
        const GuestInfo info{record.name, record.uuid, *record.pool, record.memory_mib};
        std::lock_guard lock(state_mutex_);
        reservation.commit();
        guests_[name] = info;
        shut_off_.erase(name);
        spdlog::info("started {} guest '{}' again ({} MiB, uuid {})", model_name(info.model), name,
                     info.memory_mib, info.uuid);
        return info;
    } catch (const LaunchError& e) {
        spdlog::warn("start of '{}' refused ({}): {}", name, error_name(e.code()), e.what());
        throw;
    }
}

GuestInfo Launcher::shutdown(const std::string& name) {
    resync_if_reconnected();
    const auto record = defined_guest(name, "shut down");
    if (!record.active)
        throw LaunchError(ErrorCode::InvalidArgument,
                          "guest '" + name + "' is not running; start it with 'sevdctl start " +
                              name + "'");
    client_->shutdown(name);
    spdlog::info("asked guest '{}' (uuid {}) to shut down", name, record.uuid);
    return {record.name, record.uuid, *record.pool, record.memory_mib};
}

std::vector<ForeignGuest> Launcher::foreign_guests() const {
    std::lock_guard lock(state_mutex_);
    return foreign_;
}

std::optional<GuestInfo> Launcher::domain_stopped(const DomainStopped& event) {
    std::lock_guard lock(state_mutex_);
    const auto it = guests_.find(event.name);
    if (it != guests_.end() && it->second.uuid != event.uuid)
        return std::nullopt; // a stale event: the guest listed under that name runs
    // Any encrypted domain frees its slot when it stops, not only sevd's;
    // a launch in flight under that name keeps its reservation.
    ledger_.remove_running(event.name);
    std::erase_if(foreign_, [&](const ForeignGuest& g) { return g.uuid == event.uuid; });
    if (it == guests_.end())
        return std::nullopt;
    auto info = it->second;
    guests_.erase(it);
    shut_off_[info.name] = info; // still defined, powered off, until Stop
    attesting_.erase(event.name);
    spdlog::info("guest '{}' (uuid {}) {}: its {} slot and {} MiB of locked memory are free",
                 info.name, info.uuid, event.reason, model_name(info.model), info.memory_mib);
    return info;
}

// Counted from its own record (one lookup), under state_mutex_ so that a Stop
// or a re-sync is either wholly before or wholly after it.
void Launcher::domain_started(const DomainStarted& event) {
    std::lock_guard lock(state_mutex_);
    std::optional<DomainRecord> record;
    try {
        record = client_->find_domain(event.name);
    } catch (const LaunchError&) {
        unread_start_ = true; // uncounted: the next admission re-reads libvirt first
        throw;
    }
    if (!record || record->uuid != event.uuid || !record->active || !record->pool)
        return; // gone again (its STOPPED event follows), or not encrypted
    ledger_.add_running(holding_of(*record));
    if (record->launched_by_sevd) {
        guests_[record->name] = {record->name, record->uuid, *record->pool, record->memory_mib};
        shut_off_.erase(record->name);
        return;
    }
    std::erase_if(foreign_, [&](const ForeignGuest& g) { return g.name == record->name; });
    foreign_.push_back({record->name, record->uuid, *record->pool,
                        record->memory_known ? std::optional(record->memory_mib) : std::nullopt});
}

// A domain whose <memory> cannot be read is counted as filling the limit,
// logged once while it runs.
AdmissionLedger::Holding Launcher::holding_of(const DomainRecord& record) {
    const auto bytes = record.memory_known ? probe::locked_bytes_of_mib(record.memory_mib,
                                                                        config().guest_overhead_mb)
                                           : std::nullopt;
    if (!bytes && unreadable_logged_.insert(record.uuid).second)
        spdlog::error("running encrypted domain '{}' (uuid {}): its memory size cannot be read "
                      "from libvirt's XML; sevd counts it as filling the machine.slice limit and "
                      "admits no guest while it runs",
                      record.name, record.uuid);
    return {record.name, *record.pool, bytes};
}

void Launcher::resync() {
    std::lock_guard lock(state_mutex_);
    try {
        resync_locked();
    } catch (...) {
        resync_failed_ = true; // the ledger may be short until a re-sync succeeds
        throw;
    }
}

void Launcher::resync_locked() {
    const auto records = client_->list_encrypted_running();
    std::vector<AdmissionLedger::Holding> running;
    std::map<std::string, GuestInfo> ours;
    std::map<std::string, std::string> attesting; // paused, waiting for their owners
    std::vector<ForeignGuest> foreign;
    std::set<std::string> unreadable;
    for (const auto& record : records) {
        running.push_back(holding_of(record));
        if (!record.memory_known)
            unreadable.insert(record.uuid);
        if (!record.launched_by_sevd) {
            foreign.push_back(
                {record.name, record.uuid, *record.pool,
                 record.memory_known ? std::optional(record.memory_mib) : std::nullopt});
            continue;
        }
        ours[record.name] = {record.name, record.uuid, *record.pool, record.memory_mib};
        // A daemon restarted while a guest waited for its owner adopts it again.
        if (record.attestation_pending && record.paused)
            attesting[record.name] = record.uuid;
    }
    std::map<std::string, GuestInfo> off;
    for (const auto& record : client_->list_sevd_domains())
        if (!record.active && record.pool)
            off[record.name] = {record.name, record.uuid, *record.pool, record.memory_mib};
    ledger_.replace_running(running);
    note_vanished_locked(ours);
    attesting_ = std::move(attesting);
    guests_ = std::move(ours);
    shut_off_ = std::move(off);
    foreign_ = std::move(foreign);
    std::erase_if(unreadable_logged_, [&](const auto& uuid) { return !unreadable.contains(uuid); });
    synced_generation_ = client_->generation();
    unread_start_ = false;
    resync_failed_ = false;
}

// Listed guests a re-sync no longer finds running stopped without an event
// saying so (the connection was down, or the event is still on its way).
void Launcher::note_vanished_locked(const std::map<std::string, GuestInfo>& running) {
    std::lock_guard lock(vanished_mutex_);
    for (const auto& [name, info] : guests_) {
        const auto it = running.find(name);
        if (it == running.end() || it->second.uuid != info.uuid) {
            spdlog::info("guest '{}' (uuid {}) no longer runs (found by re-reading libvirt); its "
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
