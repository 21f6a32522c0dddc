// Locked memory of the SEV guests already running. `sevd tune` uses it so a
// new limit never falls below what running guests have pinned (asked of
// libvirt by libvirt::query_running_sev_guests); the daemon passes its
// launcher ledger's figure instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::cgroups {

struct RunningSevGuests {
    uint64_t count = 0;
    // Sum of RAM + guest_overhead_mb over the guests; saturated at UINT64_MAX
    // (no lower limit is safe) when a guest's memory is unreadable.
    uint64_t locked_bytes = 0;
    uint64_t unreadable = 0; // guests whose <memory> could not be read
    bool libvirt_reachable = false;
    std::string note;   // why libvirt could not be asked (then count is 0)
    std::string source; // where the count comes from, for the report
};

// No guest can be running in an empty slice: the count without asking libvirt.
RunningSevGuests no_guests_in_empty_slice();

// A domain's XML as the locked-memory count sees it: whether it holds an ASID
// (probe::asid_pool, the rule the probe and the launcher share) and its RAM in
// bytes (nullopt: <memory> unreadable, never counted as 0). Pure.
struct EncryptedGuestRam {
    bool encrypted = false;
    std::optional<uint64_t> bytes;
    bool operator==(const EncryptedGuestRam&) const = default;
};
EncryptedGuestRam encrypted_guest_ram(std::string_view domain_xml);

} // namespace sevd::cgroups
