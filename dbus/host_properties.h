// The values of every org.sevd.Host1 property, derived from a HostReport, and
// which of them differ between two reports. Pure: no bus, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <sdbus-c++/Types.h>

#include "probe/host_report.h"

namespace sevd::dbus {

using UintPair = sdbus::Struct<uint32_t, uint32_t>; // D-Bus (uu)

// Field names follow the D-Bus property names (org.sevd.Host1.xml).
struct HostProperties {
    bool ready = false;
    std::vector<std::string> models;
    std::vector<std::string> traits;
    UintPair sev_slots{0, 0};
    UintPair sev_es_slots{0, 0};
    bool hypervisor = false;

    std::string cpu_vendor;
    std::string cpu_brand;
    bool cpu_sme = false;
    bool cpu_sev = false;
    bool cpu_sev_es = false;
    bool cpu_sev_snp = false;
    uint32_t cbit_position = 0;
    uint32_t reduced_phys_bits = 0;
    uint32_t vmpls = 0;
    uint32_t max_asid = 0;
    uint32_t min_sev_asid = 0;

    bool kernel_module_loaded = false;
    bool kernel_sev = false;
    bool kernel_sev_es = false;
    bool kernel_sev_snp = false;

    bool firmware_present = false;
    UintPair firmware_api_version{0, 0};
    uint32_t firmware_build = 0;
    std::string firmware_state; // "uninit" | "init" | "working" | "" (unknown)
    uint32_t firmware_guest_count = 0;

    bool libvirt_available = false;
    bool libvirt_sev = false;
    uint32_t libvirt_cbit_position = 0;
    uint32_t libvirt_reduced_phys_bits = 0;
    uint32_t libvirt_max_guests = 0; // 0: not reported
    uint32_t libvirt_max_es_guests = 0;

    uint64_t mem_total = 0;

    bool operator==(const HostProperties&) const = default;
};

HostProperties host_properties(const probe::HostReport& report);

// D-Bus names of the properties whose values differ, in interface order.
std::vector<std::string> changed_host_properties(const HostProperties& before,
                                                 const HostProperties& after);

} // namespace sevd::dbus
