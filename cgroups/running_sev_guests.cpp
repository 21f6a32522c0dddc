#include "cgroups/running_sev_guests.h"

#include <array>
#include <memory>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pugixml.hpp>

#include "cgroups/limit_plan.h"
#include "probe/text_util.h"

namespace sevd::cgroups {
namespace {

struct ConnectClose {
    void operator()(virConnectPtr connection) const { virConnectClose(connection); }
};
using Connection = std::unique_ptr<virConnect, ConnectClose>;

struct DomainFree {
    void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;

struct FreeCString {
    void operator()(char* text) const { free(text); } // NOLINT: libvirt allocates with malloc
};

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

// libvirt reports errors to stderr unless told otherwise; we report our own note.
void silence_libvirt(void* /*user*/, virErrorPtr /*error*/) {}

std::string last_libvirt_error() {
    const virErrorPtr error = virGetLastError();
    return error != nullptr && error->message != nullptr ? error->message : "unknown error";
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

RunningSevGuests query_running_sev_guests(const std::string& uri, uint64_t guest_overhead_mb) {
    RunningSevGuests guests;
    virSetErrorFunc(nullptr, silence_libvirt);
    const Connection connection(virConnectOpenReadOnly(uri.c_str()));
    if (!connection) {
        guests.note = "libvirt at " + uri + " is not reachable (" + last_libvirt_error() +
                      "); counting no running SEV guests";
        return guests;
    }
    guests.libvirt_reachable = true;
    virDomainPtr* list = nullptr;
    const int count =
        virConnectListAllDomains(connection.get(), &list, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (count < 0) {
        guests.note = "libvirt could not list domains (" + last_libvirt_error() + ")";
        return guests;
    }
    for (int i = 0; i < count; ++i) {
        const Domain domain(list[i]);
        const std::unique_ptr<char, FreeCString> xml(virDomainGetXMLDesc(domain.get(), 0));
        const auto ram = xml ? encrypted_guest_ram_bytes(xml.get()) : std::nullopt;
        if (!ram)
            continue;
        ++guests.count;
        guests.locked_bytes += guest_locked_bytes(*ram, guest_overhead_mb);
    }
    free(list); // NOLINT: libvirt allocates the array with malloc
    return guests;
}

} // namespace sevd::cgroups
