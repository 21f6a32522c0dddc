// How long the daemon waits for each kind of sevd-libvirt call before it
// considers the helper hung and kills it. D-Bus clients derive their own
// timeouts from these (dbus/call_timeouts.h), so they wait longer.
#pragma once

#include <chrono>

namespace sevd::libvirt_helper {

// A domain call may start a guest, and QEMU pinning a large guest's memory
// takes a while.
inline constexpr std::chrono::milliseconds kDomainCallTimeout{120'000};
// Reading libvirt's facts for the probe (connect, capabilities, domains).
inline constexpr std::chrono::milliseconds kFactsTimeout{60'000};

} // namespace sevd::libvirt_helper
