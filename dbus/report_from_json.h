// Client side: the parts of a HostReport that `sevdctl status` prints (ready,
// models, slots, checks), read back from Describe()'s JSON so the daemon's
// view prints with the same renderer as `sevd probe`.
#pragma once

#include <string>

#include "probe/host_report.h"

namespace sevd::dbus {

// Throws std::runtime_error naming the key when the JSON lacks a required key
// or has the wrong type (nlohmann::json errors are wrapped).
probe::HostReport report_from_json(const std::string& describe_json);

} // namespace sevd::dbus
