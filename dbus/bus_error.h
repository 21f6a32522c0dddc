// The D-Bus error replies for the libraries' named failures: each launch
// error code has its org.sevd.Error.* name; tune refusals and I/O failures map
// to the nearest named error. The message keeps the cause and the fix.
#pragma once

#include <sdbus-c++/Error.h>

#include "cgroups/tune_error.h"
#include "launcher/launch_error.h"

namespace sevd::dbus {

sdbus::Error to_bus_error(const launcher::LaunchError& error);
sdbus::Error to_bus_error(const cgroups::TuneError& error);

} // namespace sevd::dbus
