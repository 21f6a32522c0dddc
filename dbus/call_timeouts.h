// How long a client waits for each method: longer than the daemon's own bound
// for that call, so a slow answer (QEMU pinning a large guest's memory) is
// waited for instead of reported as a failure the daemon then completes.
// The bounds come from the daemon's limits on its libvirt calls.
#pragma once

#include <chrono>

#include "libvirt_helper/call_limits.h"

namespace sevd::dbus::call_timeout {

using std::chrono::milliseconds;

// For the bus round trip, queueing behind other calls and the daemon's own work.
inline constexpr milliseconds kMargin{15'000};
inline constexpr milliseconds kDomainCall = libvirt_helper::kDomainCallTimeout;

// Host1: Describe is served from the cached report; Refresh re-probes, and the
// probe reads libvirt's facts.
inline constexpr milliseconds kDescribe = kMargin;
inline constexpr milliseconds kRefresh = libvirt_helper::kFactsTimeout + kMargin;
// Launcher1.Plan reads image headers and calls no libvirt.
inline constexpr milliseconds kPlan = 2 * kMargin;
// Launch and Start, each libvirt call bounded by kDomainCall: connect, the
// re-sync after a reconnect (2 lists), the re-sync before a refusal stands
// (2 lists), the lookup, define + start.
inline constexpr milliseconds kLaunch = 7 * kDomainCall + kMargin;
inline constexpr milliseconds kStart = kLaunch;
// Stop and Shutdown: connect, re-sync (2 lists), the lookup, the action.
inline constexpr milliseconds kStop = 5 * kDomainCall + kMargin;
inline constexpr milliseconds kShutdown = kStop;
// Host1.Certificates and Launcher1.Measurement, InjectSecret, Resume: connect,
// then one libvirt call.
inline constexpr milliseconds kAttestation = 2 * kDomainCall + kMargin;
// Properties are served from the daemon's memory.
inline constexpr milliseconds kGetProperty = kMargin;

} // namespace sevd::dbus::call_timeout
