// The values of every org.sevd.Host1 property, derived from a HostReport, and
// which of them differ between two reports. Pure: no bus, no I/O.
//
// Cpu, Kernel, Firmware and Libvirt are a{sv} on the bus, keyed by the JSON
// report's field names (the report's "cpu", "kernel", "firmware", "libvirt"
// objects, probe/report_json), so a field added to the report is a key added
// to the property, never a new signature. Here they are those JSON objects;
// section_to_dbus() / section_from_dbus() convert (types: string s, boolean
// b, number u, or t for the keys in kWideKeys; null values are left out; a
// nested object is a nested a{sv}).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <sdbus-c++/Types.h>

#include "probe/host_report.h"

namespace sevd::dbus {

using UintPair = sdbus::Struct<uint32_t, uint32_t>;    // D-Bus (uu)
using Section = std::map<std::string, sdbus::Variant>; // D-Bus a{sv}

// Keys whose numbers are 64-bit on the bus (t); every other number is u.
inline constexpr std::array<std::string_view, 2> kWideKeys = {"current_tcb", "reported_tcb"};

// The report keys each section carries on the bus (the rest are in
// Describe()): what a client reads without parsing JSON, few enough that a
// GetAll stays cheap for script clients (python-dbus builds an object per
// value). Adding a key is compatible; org.sevd.Host1.xml documents each.
inline constexpr std::array<std::string_view, 11> kCpuKeys = {
    "vendor", "brand",    "sme",         "sev", "sev_es", "sev_snp", "cbitpos", "reduced_phys_bits",
    "vmpls",  "max_asid", "min_sev_asid"};
inline constexpr std::array<std::string_view, 5> kKernelKeys = {"module_loaded", "sev", "sev_es",
                                                                "sev_snp", "misc_capacity_hidden"};
inline constexpr std::array<std::string_view, 7> kFirmwareKeys = {
    "present", "api_major", "api_minor", "build", "state", "guest_count", "snp"};
inline constexpr std::array<std::string_view, 8> kLibvirtKeys = {
    "available", "version",           "sev",        "sev_snp",
    "cbitpos",   "reduced_phys_bits", "max_guests", "max_es_guests"};

// Field names follow the D-Bus property names (org.sevd.Host1.xml).
struct HostProperties {
    bool ready = false;
    std::vector<std::string> models;
    std::vector<std::string> traits;
    UintPair sev_slots{0, 0};
    UintPair sev_es_slots{0, 0};
    UintPair sev_snp_slots{0, 0};
    bool hypervisor = false;
    nlohmann::json cpu = nlohmann::json::object();
    nlohmann::json kernel = nlohmann::json::object();
    nlohmann::json firmware = nlohmann::json::object();
    nlohmann::json libvirt = nlohmann::json::object();
    uint64_t mem_total = 0;

    bool operator==(const HostProperties&) const = default;
};

HostProperties host_properties(const probe::HostReport& report);

// D-Bus names of the properties whose values differ, in interface order.
std::vector<std::string> changed_host_properties(const HostProperties& before,
                                                 const HostProperties& after);

// A JSON object as a{sv} (types above). Throws std::invalid_argument for a
// value with no D-Bus form here (an array, a negative or fractional number).
Section section_to_dbus(const nlohmann::json& object);
// And back: the JSON object with the keys the property carries.
nlohmann::json section_from_dbus(const Section& section);

} // namespace sevd::dbus
