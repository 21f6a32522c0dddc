#include "cgroups/running_sev_guests.h"

#include <array>
#include <memory>
#include <vector>

#include <pugixml.hpp>

#include "cgroups/limit_plan.h"
#include "probe/libvirt_handles.h"
#include "probe/text_util.h"

namespace sevd::cgroups {
namespace {

struct FreeWithFree {
    void operator()(void* memory) const { free(memory); } // NOLINT: libvirt allocates with malloc
};
using MallocText = std::unique_ptr<char, FreeWithFree>;
using MallocDomainList = std::unique_ptr<virDomainPtr, FreeWithFree>;

struct UnitScale {
    std::string_view unit;
    uint64_t bytes;
};

// libvirt's memory units (formatdomain "Memory Allocation"); default KiB.
constexpr std::array<UnitScale, 12> kUnits{{{"b", 1},
                                            {"bytes", 1},
                                            {"KiB", 1024},
                                            {"k", 1024},
                                            {"K", 1024},
                                            {"MiB", 1024ull << 10},
                                            {"M", 1024ull << 10},
                                            {"GiB", 1024ull << 20},
                                            {"G", 1024ull << 20},
                                            {"TiB", 1024ull << 30},
                                            {"T", 1024ull << 30},
                                            {"KB", 1000}}};

std::optional<uint64_t> unit_bytes(std::string_view unit) {
    if (unit.empty())
        return 1024;
    for (const auto& each : kUnits)
        if (each.unit == unit)
            return each.bytes;
    return std::nullopt;
}

} // namespace

std::optional<uint64_t> encrypted_guest_ram_bytes(std::string_view domain_xml) {
    pugi::xml_document document;
    if (!document.load_buffer(domain_xml.data(), domain_xml.size()))
        return std::nullopt;
    const auto domain = document.child("domain");
    if (!domain.child("launchSecurity"))
        return std::nullopt;
    const auto memory = domain.child("memory");
    const auto scale = unit_bytes(memory.attribute("unit").as_string());
    const auto amount = probe::parse_u64(memory.text().as_string());
    if (!scale || !amount || *amount > UINT64_MAX / *scale)
        return std::nullopt;
    return *amount * *scale;
}

RunningSevGuests no_guests_in_empty_slice() {
    RunningSevGuests guests;
    guests.source = "machine.slice holds no process; libvirt not asked";
    return guests;
}

RunningSevGuests query_running_sev_guests(const std::string& uri, uint64_t guest_overhead_mb) {
    RunningSevGuests guests;
    guests.source = "libvirt " + uri;
    std::string error;
    const libvirt::ConnectPtr connection = libvirt::open_read_only(uri, error);
    if (!connection) {
        guests.note = "libvirt at " + uri + " is not reachable (" + error +
                      "); counting no running SEV guests";
        return guests;
    }
    guests.libvirt_reachable = true;
    const libvirt::Api& lib = *libvirt::loaded_api(); // loaded by open_read_only
    virDomainPtr* raw_list = nullptr;
    const int count =
        lib.connect_list_all_domains(connection.get(), &raw_list, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    const MallocDomainList list(raw_list);
    if (count < 0) {
        guests.note = "libvirt could not list domains (" + libvirt::last_error_message() + ")";
        return guests;
    }
    std::vector<libvirt::DomainPtr> domains;
    for (int i = 0; i < count; ++i)
        domains.emplace_back(list.get()[i]); // owned before anything can fail
    for (const auto& domain : domains) {
        const MallocText xml(lib.domain_get_xml_desc(domain.get(), 0));
        const auto ram = xml ? encrypted_guest_ram_bytes(xml.get()) : std::nullopt;
        if (!ram)
            continue;
        ++guests.count;
        guests.locked_bytes += guest_locked_bytes(*ram, guest_overhead_mb);
    }
    return guests;
}

} // namespace sevd::cgroups
