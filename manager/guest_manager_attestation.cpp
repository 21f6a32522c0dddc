// GuestManager's attestation members: Host1.Certificates, Launcher1's
// Measurement, InjectSecret and Resume, and the expiry of guests left paused.
#include <chrono>
#include <optional>

#include <spdlog/spdlog.h>

#include "manager/guest_manager.h"
#include "manager/off_loop.h"

namespace sevd::manager {

void GuestManager::certificates(Then<launcher::SevCertificates> then) {
    run_off_loop<launcher::SevCertificates>(
        loop_, workers_, [launcher = launcher_] { return launcher->certificates(); },
        std::move(then));
}

void GuestManager::measurement(std::string name, Then<launcher::LaunchMeasurement> then) {
    run_off_loop<launcher::LaunchMeasurement>(
        loop_, workers_, [launcher = launcher_, name] { return launcher->measurement(name); },
        std::move(then));
}

void GuestManager::inject_secret(std::string name, launcher::LaunchSecret secret, Then<Done> then) {
    run_off_loop<Done>(
        loop_, workers_,
        [launcher = launcher_, name, secret = std::move(secret)] {
            launcher->inject_secret(name, secret);
            return Done{};
        },
        std::move(then));
}

void GuestManager::resume(std::string name, Then<launcher::GuestInfo> then) {
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, [launcher = launcher_, name] { return launcher->resume(name); },
        [this, then = std::move(then)](Outcome<launcher::GuestInfo> outcome) {
            then(outcome);
            if (outcome.ok())
                announce_guests();
        });
}

// The launcher decides (expire_attestation checks the guest still waits under
// that UUID); a failed expiry is tried again after another timeout.
void GuestManager::watch_attestation(const std::vector<launcher::GuestInfo>& guests) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(launcher_->attestation_timeout());
    for (const auto& guest : guests) {
        if (!attestation_timers_.insert(guest.uuid).second)
            continue;
        loop_.run_after(timeout, [this, guest] {
            attestation_timers_.erase(guest.uuid);
            expire_attestation(guest);
        });
    }
}

// On a worker: the launcher destroys the guest when it still waits.
void GuestManager::expire_attestation(const launcher::GuestInfo& guest) {
    workers_.submit([this, launcher = launcher_, guest] {
        std::optional<launcher::GuestInfo> expired;
        try {
            expired = launcher->expire_attestation(guest.name, guest.uuid);
        } catch (const launcher::LaunchError& e) {
            spdlog::error("expiring guest '{}' paused for attestation failed: {}; trying again "
                          "after another timeout",
                          guest.name, e.what());
            loop_.post([this, guest] { watch_attestation({guest}); });
            return;
        }
        if (!expired)
            return;
        loop_.post([this, g = *expired] {
            announcer_.guest_stopped(g);
            guests_moved();
        });
    });
}

} // namespace sevd::manager
