// `sevd tune`'s count of the running SEV guests' locked memory.
#include "libvirt_helper/libvirt_handles.h"
#include "libvirt_helper/libvirt_readings.h"
#include "probe/locked_memory.h"

namespace sevd::libvirt {

cgroups::RunningSevGuests query_running_sev_guests(const std::string& uri,
                                                   uint64_t guest_overhead_mb) {
    cgroups::RunningSevGuests guests;
    guests.source = "libvirt " + uri;
    std::string error;
    const ConnectPtr connection = open_read_only(uri, error);
    if (!connection) {
        guests.note = "libvirt at " + uri + " is not reachable (" + error +
                      "); counting no running SEV guests";
        return guests;
    }
    guests.libvirt_reachable = true;
    const auto domains = list_domains(connection.get(), VIR_CONNECT_LIST_DOMAINS_ACTIVE, error);
    if (!domains) {
        guests.note = "libvirt could not list domains (" + error + ")";
        return guests;
    }
    for (const auto& domain : *domains) {
        const auto xml = domain_xml(domain.get());
        const auto ram = xml ? cgroups::encrypted_guest_ram(*xml) : cgroups::EncryptedGuestRam{};
        if (!ram.encrypted)
            continue;
        ++guests.count;
        if (!ram.bytes) {
            ++guests.unreadable;
            guests.locked_bytes = UINT64_MAX;
            guests.note = "the memory size of " + std::to_string(guests.unreadable) +
                          " running encrypted domain(s) cannot be read from libvirt; they are "
                          "counted as filling the host, so no limit is lowered";
            continue;
        }
        // Saturates: a sum that does not fit is more than any limit can hold.
        const uint64_t bytes =
            probe::locked_bytes(*ram.bytes, guest_overhead_mb).value_or(UINT64_MAX);
        guests.locked_bytes =
            bytes > UINT64_MAX - guests.locked_bytes ? UINT64_MAX : guests.locked_bytes + bytes;
    }
    return guests;
}

} // namespace sevd::libvirt
