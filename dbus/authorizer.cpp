#include "dbus/authorizer.h"

#include <map>

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

} // namespace

Authorizer::Authorizer(sdbus::IConnection& bus)
    : bus_daemon_(sdbus::createProxy(bus, kBusDaemonName, "/org/freedesktop/DBus")),
      polkit_(sdbus::createProxy(bus, kPolkitName, kPolkitPath)) {
    bus_daemon_->finishRegistration();
    polkit_->finishRegistration();
}

void Authorizer::require(const std::string& sender, const std::string& action_id) {
    const bool polkit = polkit_on_bus();
    const bool allowed = polkit ? polkit_allows(sender, action_id) : unix_user_allowed(sender);
    if (allowed)
        return;
    spdlog::warn("denied {} to {} ({})", action_id, sender,
                 polkit ? "polkit said no" : "not uid 0 nor in group sevd");
    throw sdbus::Error(kAccessDeniedError, polkit
                                               ? "not authorized for " + action_id +
                                                     " by polkit; ask an administrator to grant it"
                                               : "not authorized for " + action_id +
                                                     ": run as root or add the "
                                                     "user to group " +
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

bool Authorizer::polkit_allows(const std::string& sender, const std::string& action_id) {
    using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
    const Subject subject{"system-bus-name", {{"name", sdbus::Variant(sender)}}};
    const std::map<std::string, std::string> details;
    sdbus::Struct<bool, bool, std::map<std::string, std::string>> result;
    try {
        polkit_->callMethod("CheckAuthorization")
            .onInterface(kPolkitInterface)
            .withArguments(subject, action_id, details, kPolkitNoInteraction, std::string())
            .storeResultsTo(result);
    } catch (const sdbus::Error& e) {
        spdlog::error("polkit CheckAuthorization for {} failed: {} ({}), denying", action_id,
                      e.getMessage(), e.getName());
        return false;
    }
    return std::get<0>(result);
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
