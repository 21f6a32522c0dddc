#include "cgroups/running_sev_guests.h"

#include "probe/domain_facts.h"

namespace sevd::cgroups {

EncryptedGuestRam encrypted_guest_ram(std::string_view domain_xml) {
    const auto facts = probe::parse_domain_facts(domain_xml);
    if (!facts || !facts->pool)
        return {};
    return {true, facts->memory_bytes};
}

RunningSevGuests no_guests_in_empty_slice() {
    RunningSevGuests guests;
    guests.source = "machine.slice holds no process; libvirt not asked";
    return guests;
}

} // namespace sevd::cgroups
