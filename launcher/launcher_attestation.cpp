// The Launcher's attestation flow: a guest launched with sevd:attestation
// waits paused (holding its slot) for its owner to read the measurement,
// inject a secret and resume it, or for the timeout to expire it.
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "launcher/attestation_rules.h"
#include "launcher/launcher.h"
#include "launcher/request_validator.h"

namespace sevd::launcher {

void Launcher::require_attesting_locked(const std::string& name) const {
    if (!is_valid_guest_name(name))
        throw LaunchError(ErrorCode::InvalidArgument,
                          "name '" + printable(name) + "' is not a guest name");
    if (attesting_.count(name) != 0)
        return;
    const bool listed = guests_.count(name) != 0;
    throw LaunchError(ErrorCode::InvalidArgument,
                      listed ? "guest '" + name +
                                   "' is not paused for attestation (it was resumed, or launched "
                                   "without sevd:attestation=true); a running guest can no longer "
                                   "be measured or receive a launch secret"
                             : "no guest '" + name +
                                   "' launched by sevd is paused for attestation; launch it with "
                                   "sevd:attestation=true (see 'sevdctl guests')");
}

SevCertificates Launcher::certificates() {
    return client_->sev_certificates();
}

LaunchMeasurement Launcher::measurement(const std::string& name) {
    {
        std::lock_guard lock(state_mutex_);
        require_attesting_locked(name);
    }
    return client_->launch_measurement(name);
}

void Launcher::inject_secret(const std::string& name, const LaunchSecret& secret) {
    check_launch_secret(secret.header, secret.secret);
    // Held across the call: a resume or expiry cannot run the guest meanwhile.
    std::lock_guard lock(state_mutex_);
    require_attesting_locked(name);
    client_->inject_launch_secret(name, secret);
    spdlog::info("injected a {}-character launch secret into '{}' (gpa {})", secret.secret.size(),
                 name, secret.gpa);
}

GuestInfo Launcher::resume(const std::string& name) {
    std::lock_guard lock(state_mutex_);
    require_attesting_locked(name);
    client_->resume(name);
    attesting_.erase(name);
    spdlog::info("resumed guest '{}' after attestation", name);
    return guests_.at(name);
}

bool Launcher::awaiting_attestation(const std::string& name) const {
    std::lock_guard lock(state_mutex_);
    return attesting_.count(name) != 0;
}

std::vector<GuestInfo> Launcher::attesting_guests() const {
    std::lock_guard lock(state_mutex_);
    std::vector<GuestInfo> out;
    for (const auto& [name, uuid] : attesting_)
        if (const auto it = guests_.find(name); it != guests_.end() && it->second.uuid == uuid)
            out.push_back(it->second);
    return out;
}

std::chrono::seconds Launcher::attestation_timeout() const {
    return std::chrono::seconds(config().attestation_timeout_s);
}

std::optional<GuestInfo> Launcher::expire_attestation(const std::string& name,
                                                      const std::string& uuid) {
    const auto timeout_s = config().attestation_timeout_s;
    std::lock_guard lock(state_mutex_);
    const auto it = attesting_.find(name);
    if (it == attesting_.end() || it->second != uuid)
        return std::nullopt;
    // libvirt says whether it still waits. Gone or shut off: its events
    // release it. Running: resumed outside sevd (virsh resume), it may have
    // run and hold its owner's data, so it is never destroyed.
    const auto record = client_->find_domain(name);
    const bool running = record && record->uuid == uuid && record->active;
    if (!running || !record->paused) {
        if (running)
            spdlog::warn("guest '{}' (uuid {}) was resumed outside sevd while it waited for "
                         "attestation; it is no longer timed out",
                         name, uuid);
        attesting_.erase(it);
        return std::nullopt;
    }
    const auto info = guests_.at(name);
    spdlog::warn("guest '{}' (uuid {}) is still paused for attestation after {} s: destroying it "
                 "and freeing its slot",
                 name, uuid, timeout_s);
    client_->destroy_and_undefine(uuid);
    ledger_.remove_running(name);
    guests_.erase(name);
    attesting_.erase(it);
    return info;
}

} // namespace sevd::launcher
