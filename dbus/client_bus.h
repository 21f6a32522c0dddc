// Client side: connecting to the bus sevd serves on, and telling "the daemon
// is not running" apart from a real error.
#pragma once

#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

namespace sevd::dbus {

enum class ClientBus { System, Session };

// The system bus honours DBUS_SYSTEM_BUS_ADDRESS. Throws sdbus::Error.
std::unique_ptr<sdbus::IConnection> connect_client_bus(ClientBus bus);

// True for the errors a call gets when nobody owns org.sevd.Host1 (or D-Bus
// activation could not start it).
bool is_daemon_absent(const sdbus::Error& error);

// One line for users: the bus error without D-Bus jargon, plus what to do.
std::string describe_absent_daemon(ClientBus bus);

} // namespace sevd::dbus
