// The D-Bus error replies for the libraries' named failures: each launch
// error code has its org.sevd.Error.* name; tune refusals and I/O failures map
// to the nearest named error. The message keeps the cause and the fix.
#pragma once

#include <exception>

#include <sdbus-c++/Error.h>

#include "cgroups/tune_error.h"
#include "launcher/launch_error.h"

namespace sevd::dbus {

sdbus::Error to_bus_error(const launcher::LaunchError& error);
sdbus::Error to_bus_error(const cgroups::TuneError& error);
// What ended a manager's work (manager/outcome.h): a named error as above,
// anything else org.freedesktop.DBus.Error.Failed with its message.
sdbus::Error to_bus_error(const std::exception_ptr& error);

} // namespace sevd::dbus
