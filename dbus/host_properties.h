// The values of every org.sevd.Host1 property, derived from a HostReport, and
// which of them differ between two reports. Pure: no bus, no I/O.
//
// Cpu, Kernel, Firmware and Libvirt are struct-typed on the bus; here they are
// named fields, converted to and from the D-Bus structs (field order as in the
// DocStrings of org.sevd.Host1.xml) by to_dbus() / *_from_dbus().
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <sdbus-c++/Types.h>

#include "probe/host_report.h"

namespace sevd::dbus {

using UintPair = sdbus::Struct<uint32_t, uint32_t>; // D-Bus (uu)

// Cpu (ssbbbbuuuuu)
struct CpuProperty {
    std::string vendor;
    std::string brand;
    bool sme = false;
    bool sev = false;
    bool sev_es = false;
    bool sev_snp = false;
    uint32_t cbitpos = 0;
    uint32_t reduced_phys_bits = 0;
    uint32_t vmpls = 0;
    uint32_t max_asid = 0;
    uint32_t min_sev_asid = 0;
    bool operator==(const CpuProperty&) const = default;
};
using CpuStruct = sdbus::Struct<std::string, std::string, bool, bool, bool, bool, uint32_t,
                                uint32_t, uint32_t, uint32_t, uint32_t>;

// Kernel (bbbb)
struct KernelProperty {
    bool module_loaded = false;
    bool sev = false;
    bool sev_es = false;
    bool sev_snp = false;
    bool operator==(const KernelProperty&) const = default;
};
using KernelStruct = sdbus::Struct<bool, bool, bool, bool>;

// Firmware (buuusu)
struct FirmwareProperty {
    bool present = false;
    uint32_t api_major = 0;
    uint32_t api_minor = 0;
    uint32_t build = 0;
    std::string state; // "uninit" | "init" | "working" | "" (unknown)
    uint32_t guest_count = 0;
    bool operator==(const FirmwareProperty&) const = default;
};
using FirmwareStruct = sdbus::Struct<bool, uint32_t, uint32_t, uint32_t, std::string, uint32_t>;

// Libvirt (bbuuuu)
struct LibvirtProperty {
    bool available = false;
    bool sev = false;
    uint32_t cbitpos = 0;
    uint32_t reduced_phys_bits = 0;
    uint32_t max_guests = 0; // 0: not reported
    uint32_t max_es_guests = 0;
    bool operator==(const LibvirtProperty&) const = default;
};
using LibvirtStruct = sdbus::Struct<bool, bool, uint32_t, uint32_t, uint32_t, uint32_t>;

// Field names follow the D-Bus property names (org.sevd.Host1.xml).
struct HostProperties {
    bool ready = false;
    std::vector<std::string> models;
    std::vector<std::string> traits;
    UintPair sev_slots{0, 0};
    UintPair sev_es_slots{0, 0};
    bool hypervisor = false;
    CpuProperty cpu;
    KernelProperty kernel;
    FirmwareProperty firmware;
    LibvirtProperty libvirt;
    uint64_t mem_total = 0;

    bool operator==(const HostProperties&) const = default;
};

HostProperties host_properties(const probe::HostReport& report);

// D-Bus names of the properties whose values differ, in interface order.
std::vector<std::string> changed_host_properties(const HostProperties& before,
                                                 const HostProperties& after);

CpuStruct to_dbus(const CpuProperty& cpu);
KernelStruct to_dbus(const KernelProperty& kernel);
FirmwareStruct to_dbus(const FirmwareProperty& firmware);
LibvirtStruct to_dbus(const LibvirtProperty& libvirt);

CpuProperty cpu_from_dbus(const CpuStruct& cpu);
KernelProperty kernel_from_dbus(const KernelStruct& kernel);
FirmwareProperty firmware_from_dbus(const FirmwareStruct& firmware);
LibvirtProperty libvirt_from_dbus(const LibvirtStruct& libvirt);

} // namespace sevd::dbus
