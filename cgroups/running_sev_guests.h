// Locked memory of the SEV guests already running, from libvirt (read-only).
// `sevd tune` uses it so a new limit never falls below what running guests
// have pinned; the daemon passes its launcher ledger's figure instead.
// libvirt is reached through the probe's dlopen'd table, so `sevd tune` loads
// libvirt.so and its ~60 libraries only when it has to ask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::cgroups {

struct RunningSevGuests {
    uint64_t count = 0;
    uint64_t locked_bytes = 0; // sum of RAM + guest_overhead_mb over the guests
    bool libvirt_reachable = false;
    std::string note;   // why libvirt could not be asked (then count is 0)
    std::string source; // where the count comes from, for the report
};

// No guest can be running in an empty slice: the count without asking libvirt.
RunningSevGuests no_guests_in_empty_slice();

// The guest RAM in bytes of a domain XML with <launchSecurity>, nullopt for a
// domain without memory encryption or without a readable <memory>. Pure.
std::optional<uint64_t> encrypted_guest_ram_bytes(std::string_view domain_xml);

// Asks libvirt at `uri` (read-only) for the running domains. An unreachable
// libvirt counts as no guests, with a note; never throws.
RunningSevGuests query_running_sev_guests(const std::string& uri, uint64_t guest_overhead_mb);

} // namespace sevd::cgroups
