// Client side: a HostReport rebuilt from org.sevd.Host1's properties (GetAll),
// so `sevdctl status` prints with the same renderer as `sevd probe`. Fields
// without a property (e.g. firmware flags) keep their defaults.
#pragma once

#include <map>
#include <string>

#include <sdbus-c++/Types.h>

#include "probe/host_report.h"

namespace sevd::dbus {

// Throws sdbus::Error when a property has an unexpected type.
probe::HostReport report_from_properties(const std::map<std::string, sdbus::Variant>& properties);

} // namespace sevd::dbus
