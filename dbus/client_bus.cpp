#include "dbus/client_bus.h"

namespace sevd::dbus {

std::unique_ptr<sdbus::IConnection> connect_client_bus(ClientBus bus) {
    return bus == ClientBus::System ? sdbus::createSystemBusConnection()
                                    : sdbus::createSessionBusConnection();
}

bool is_daemon_absent(const sdbus::Error& error) {
    const std::string& name = error.getName();
    return name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
           name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
           name.starts_with("org.freedesktop.DBus.Error.Spawn.");
}

std::string describe_absent_daemon(ClientBus bus) {
    const char* where = bus == ClientBus::System ? "system" : "session";
    return std::string("sevd is not running on the ") + where +
           " bus (nobody owns org.sevd.Host1); start it with `systemctl start sevd` or "
           "`sevd serve`";
}

} // namespace sevd::dbus
