// The names sevd uses on the bus, defined once (DESIGN.md "D-Bus API").
#pragma once

namespace sevd::dbus {

inline constexpr const char* kBusName = "org.sevd.Host1";

inline constexpr const char* kHostPath = "/org/sevd/Host1";
inline constexpr const char* kLauncherPath = "/org/sevd/Launcher1";
inline constexpr const char* kTuningPath = "/org/sevd/Tuning1";

inline constexpr const char* kHostInterface = "org.sevd.Host1";
inline constexpr const char* kLauncherInterface = "org.sevd.Launcher1";
inline constexpr const char* kTuningInterface = "org.sevd.Tuning1";

// polkit actions (units/org.sevd.policy) guarding the privileged interfaces.
inline constexpr const char* kLaunchAction = "org.sevd.launch";
inline constexpr const char* kTuneAction = "org.sevd.tune";

// Without polkit, uid 0 and members of this group may call privileged methods
// (the same group the bus policy admits).
inline constexpr const char* kPrivilegedGroup = "sevd";

inline constexpr const char* kAccessDeniedError = "org.freedesktop.DBus.Error.AccessDenied";
inline constexpr const char* kFailedError = "org.freedesktop.DBus.Error.Failed";

} // namespace sevd::dbus
