// Pure decisions on libvirt's asynchronous notices: which domain lifecycle
// events end a guest's hold on its ASID slot and locked memory, and how a
// connection-close reason reads in the log. No libvirt calls, plain values
// (the virDomainEventType / virConnectCloseReason numbers) in and out.
#pragma once

#include <optional>
#include <string>

namespace sevd::launcher {

// The reason, when lifecycle event `event` (virDomainEventType) with `detail`
// means the domain no longer runs: VIR_DOMAIN_EVENT_STOPPED, whatever the
// detail (shut down, destroyed, crashed, failed, saved, migrated away,
// reverted to an offline snapshot): the emulator process and its ASID are
// gone. nullopt for every other event, UNDEFINED included: undefining a
// running domain only makes it transient, it keeps running (and its slot).
std::optional<std::string> stop_reason(int event, int detail);

// Whether lifecycle event `event` means the domain now runs and holds an ASID
// and locked memory: VIR_DOMAIN_EVENT_STARTED (booted, restored, migrated in,
// woken), whatever the detail. RESUMED is not: a paused domain kept both.
bool is_start(int event);

// A virConnectCloseReason as words for the log.
std::string close_reason(int reason);

} // namespace sevd::launcher
