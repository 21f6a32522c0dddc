// Launcher1's attestation members and Host1.Certificates: adapt only (check
// the caller, run the launcher's libvirt work on a worker, reply on the loop).
#include <spdlog/spdlog.h>

#include "dbus/launcher_object.h"
#include "dbus/off_loop.h"

namespace sevd::dbus {

void LauncherObject::certificates(sdbus::Result<std::string, std::string>&& result) {
    auto launcher = launcher_;
    run_off_loop<launcher::SevCertificates>(
        loop_, workers_, std::move(result), [launcher] { return launcher->certificates(); },
        [](sdbus::Result<std::string, std::string>& reply, const launcher::SevCertificates& c) {
            reply.returnResults(c.pdh, c.cert_chain);
        });
}

void LauncherObject::Measurement(
    sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>&& result, std::string name) {
    authorize();
    auto launcher = launcher_;
    run_off_loop<launcher::LaunchMeasurement>(
        loop_, workers_, std::move(result),
        [launcher, name] { return launcher->measurement(name); },
        [](sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>& reply,
           const launcher::LaunchMeasurement& m) {
            reply.returnResults(m.measurement, m.api_major, m.api_minor, m.build_id, m.policy);
        });
}

void LauncherObject::InjectSecret(sdbus::Result<>&& result, std::string name, std::string header,
                                  std::string secret, uint64_t gpa) {
    authorize();
    auto launcher = launcher_;
    launcher::LaunchSecret launch_secret{std::move(header), std::move(secret), gpa};
    run_off_loop<bool>(
        loop_, workers_, std::move(result),
        [launcher, name, launch_secret] {
            launcher->inject_secret(name, launch_secret);
            return true;
        },
        [](sdbus::Result<>& reply, bool) { reply.returnResults(); });
}

void LauncherObject::Resume(sdbus::Result<>&& result, std::string name) {
    authorize();
    auto launcher = launcher_;
    run_off_loop<launcher::GuestInfo>(
        loop_, workers_, std::move(result), [launcher, name] { return launcher->resume(name); },
        [this](sdbus::Result<>& reply, const launcher::GuestInfo&) {
            reply.returnResults();
            announce_guests();
        });
}

// The launcher decides (expire_attestation checks the guest still waits under
// that UUID); a failed expiry is tried again after another timeout.
void LauncherObject::watch_attestation(const std::vector<launcher::GuestInfo>& guests) {
    auto launcher = launcher_;
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(launcher->attestation_timeout());
    for (const auto& guest : guests) {
        if (!attestation_timers_.insert(guest.uuid).second)
            continue;
        loop_.run_after(timeout, [this, launcher, guest] {
            attestation_timers_.erase(guest.uuid);
            expire_attestation(launcher, guest);
        });
    }
}

// On a worker: the launcher destroys the guest when it still waits.
void LauncherObject::expire_attestation(std::shared_ptr<launcher::Launcher> launcher,
                                        const launcher::GuestInfo& guest) {
    workers_.submit([this, launcher, guest] {
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
            emitGuestStopped(g.name, g.uuid);
            announce_guests();
            on_guests_changed_();
        });
    });
}

} // namespace sevd::dbus
