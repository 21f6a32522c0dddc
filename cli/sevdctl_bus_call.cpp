#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <sdbus-c++/Error.h>

#include "cli/sevdctl_commands.h"

namespace sevd::cli {
namespace {

void print_error(const char* command, bool json, const std::string& message,
                 const std::string& name = {}) {
    if (json) {
        nlohmann::json out{{"error", message}};
        if (!name.empty())
            out["name"] = name;
        std::cout << out.dump(2) << "\n";
    } else {
        std::cerr << "sevdctl " << command << ": " << message << "\n";
    }
}

bool is_refusal(const std::string& name) {
    return name.starts_with("org.sevd.Error.") || name == "org.freedesktop.DBus.Error.AccessDenied";
}

} // namespace

int run_bus_call(const char* command, const CtlGlobals& globals, bool json,
                 std::chrono::milliseconds timeout,
                 const std::function<int(sdbus::IConnection&)>& call) {
    std::unique_ptr<sdbus::IConnection> bus;
    try {
        bus = dbus::connect_client_bus(globals.bus);
    } catch (const sdbus::Error& e) {
        // No bus at all (no dbus-daemon, or a wrong DBUS_SYSTEM_BUS_ADDRESS).
        print_error(command, json,
                    dbus::describe_absent_daemon(globals.bus) +
                        " (cannot reach the bus: " + e.getMessage() + ")");
        return kCtlNotRunning;
    }
    try {
        bus->setMethodCallTimeout(timeout);
        return call(*bus);
    } catch (const sdbus::Error& e) {
        if (dbus::is_daemon_absent(e)) {
            print_error(command, json, dbus::describe_absent_daemon(globals.bus));
            return kCtlNotRunning;
        }
        print_error(command, json, e.getMessage(), e.getName());
        return is_refusal(e.getName()) ? kCtlRefused : kCtlError;
    } catch (const std::runtime_error& e) {
        print_error(command, json, e.what());
        return kCtlError;
    }
}

} // namespace sevd::cli
