// Launcher1's attestation members: adapt only (check the caller, hand the
// call to the GuestManager, reply).
#include "dbus/launcher_object.h"
#include "dbus/reply.h"

namespace sevd::dbus {

void LauncherObject::Measurement(
    sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>&& result, std::string name) {
    authorize();
    guests_.measurement(
        std::move(name),
        reply_to<launcher::LaunchMeasurement>(
            std::move(result),
            [](sdbus::Result<std::string, uint32_t, uint32_t, uint32_t, uint32_t>& reply,
               const launcher::LaunchMeasurement& m) {
                reply.returnResults(m.measurement, m.api_major, m.api_minor, m.build_id, m.policy);
            }));
}

void LauncherObject::InjectSecret(sdbus::Result<>&& result, std::string name, std::string header,
                                  std::string secret, uint64_t gpa) {
    authorize();
    guests_.inject_secret(
        std::move(name), launcher::LaunchSecret{std::move(header), std::move(secret), gpa},
        reply_to<manager::Done>(std::move(result), [](sdbus::Result<>& reply, manager::Done) {
            reply.returnResults();
        }));
}

void LauncherObject::Resume(sdbus::Result<>&& result, std::string name) {
    authorize();
    guests_.resume(std::move(name),
                   reply_to<launcher::GuestInfo>(
                       std::move(result), [](sdbus::Result<>& reply, const launcher::GuestInfo&) {
                           reply.returnResults();
                       }));
}

} // namespace sevd::dbus
