#include "dbus/authorizer.h"

#include <chrono>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "dbus/bus_names.h"
#include "dbus/unix_group.h"

namespace sevd::dbus {
namespace {

constexpr const char* kPolkitName = "org.freedesktop.PolicyKit1";
constexpr const char* kPolkitPath = "/org/freedesktop/PolicyKit1/Authority";
constexpr const char* kPolkitInterface = "org.freedesktop.PolicyKit1.Authority";
constexpr const char* kBusDaemonName = "org.freedesktop.DBus";
constexpr uint32_t kPolkitNoInteraction = 0;
// The check runs on the main loop: a polkitd that hangs must not stall the
// daemon for D-Bus's 25 s default. Without interaction polkit answers in
// milliseconds; running out of time refuses the call (fail closed).
constexpr std::chrono::seconds kPolkitTimeout{5};

} // namespace

Authorizer::Authorizer(sdbus::IConnection& bus)
    : bus_daemon_(sdbus::createProxy(bus, kBusDaemonName, "/org/freedesktop/DBus")),
      polkit_(sdbus::createProxy(bus, kPolkitName, kPolkitPath)) {
    bus_daemon_->finishRegistration();
    polkit_->finishRegistration();
}

void Authorizer::require(const std::string& sender, const std::string& action_id) {
    if (polkit_on_bus()) {
        const auto denial = polkit_denial(sender, action_id);
        if (!denial)
            return;
        spdlog::warn("denied {} to {}: {}", action_id, sender, *denial);
        throw sdbus::Error(kAccessDeniedError, *denial);
    }
    if (unix_user_allowed(sender))
        return;
    spdlog::warn("denied {} to {} (not uid 0 nor in group {})", action_id, sender,
                 kPrivilegedGroup);
    throw sdbus::Error(kAccessDeniedError, "not authorized for " + action_id +
                                               ": run as root or add the user to group " +
                                               kPrivilegedGroup);
}

bool Authorizer::polkit_on_bus() {
    bool has_owner = false;
    bus_daemon_->callMethod("NameHasOwner")
        .onInterface(kBusDaemonName)
        .withArguments(std::string(kPolkitName))
        .storeResultsTo(has_owner);
    return has_owner;
}

std::optional<std::string> Authorizer::polkit_denial(const std::string& sender,
                                                     const std::string& action_id) {
    using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
    const Subject subject{"system-bus-name", {{"name", sdbus::Variant(sender)}}};
    const std::map<std::string, std::string> details;
    sdbus::Struct<bool, bool, std::map<std::string, std::string>> result;
    try {
        polkit_->callMethod("CheckAuthorization")
            .onInterface(kPolkitInterface)
            .withArguments(subject, action_id, details, kPolkitNoInteraction, std::string())
            .withTimeout(kPolkitTimeout)
            .storeResultsTo(result);
    } catch (const sdbus::Error& e) {
        // Fail closed, but say why: a grant would not help here (e.g. polkit
        // does not know the action when org.sevd.policy is not installed).
        return "not authorized for " + action_id + ": polkit could not check it (" +
               e.getMessage() + ", " + e.getName() +
               "); is org.sevd.policy installed in polkit's actions directory?";
    }
    if (std::get<0>(result))
        return std::nullopt;
    return "not authorized for " + action_id + " by polkit; ask an administrator to grant it";
}

bool Authorizer::unix_user_allowed(const std::string& sender) {
    uint32_t uid = 0;
    bus_daemon_->callMethod("GetConnectionUnixUser")
        .onInterface(kBusDaemonName)
        .withArguments(sender)
        .storeResultsTo(uid);
    return uid == 0 || uid_in_group(uid, kPrivilegedGroup);
}

} // namespace sevd::dbus
