// Decides whether a bus caller may use a privileged interface (Launcher1,
// Tuning1). The bus policy already filters; this is the daemon's own check:
// polkit when its name is on the bus, else uid 0 or group `sevd`, with the uid
// taken from the bus daemon (GetConnectionUnixUser), never from /proc.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

namespace sevd::dbus {

class Authorizer {
public:
    explicit Authorizer(sdbus::IConnection& bus);

    // Throws sdbus::Error org.freedesktop.DBus.Error.AccessDenied (naming the
    // action and how to get it) unless `sender` may perform `action_id`.
    void require(const std::string& sender, const std::string& action_id);

private:
    bool polkit_on_bus();
    // Empty when polkit allows it; else the caller's error message: why not
    // and what to do.
    std::optional<std::string> polkit_denial(const std::string& sender,
                                             const std::string& action_id);
    bool unix_user_allowed(const std::string& sender);

    std::unique_ptr<sdbus::IProxy> bus_daemon_;
    std::unique_ptr<sdbus::IProxy> polkit_;
};

} // namespace sevd::dbus
