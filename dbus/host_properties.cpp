#include "dbus/host_properties.h"

#include "probe/report_json.h"

namespace sevd::dbus {
namespace {

// D-Bus strings cannot be null: an unknown state is "".
std::string firmware_state_name(const std::optional<probe::FirmwareState>& state) {
    return state ? std::string(probe::firmware_state_name(*state)) : "";
}

// sdbus::Struct derives from std::tuple but does not specialise
// std::tuple_size, so structured bindings need the tuple itself.
template <typename... Fields>
const std::tuple<Fields...>& as_tuple(const sdbus::Struct<Fields...>& value) {
    return value;
}

UintPair slot_pair(const probe::SlotCount& slots) {
    return {slots.total, slots.used};
}

// Appends `name` when the two values differ.
class ChangeList {
public:
    template <typename T>
    void compare(const char* name, const T& before, const T& after) {
        if (!(before == after))
            names_.emplace_back(name);
    }
    std::vector<std::string> take() { return std::move(names_); }

private:
    std::vector<std::string> names_;
};

CpuProperty cpu_property(const probe::CpuReport& cpu) {
    return {cpu.vendor, cpu.brand,    cpu.sme,         cpu.sev,
            cpu.sev_es, cpu.sev_snp,  cpu.cbitpos,     cpu.reduced_phys_bits,
            cpu.vmpls,  cpu.max_asid, cpu.min_sev_asid};
}

KernelProperty kernel_property(const probe::KernelReport& kernel) {
    return {kernel.module_loaded, kernel.sev, kernel.sev_es, kernel.sev_snp};
}

FirmwareProperty firmware_property(const probe::FirmwareReport& firmware) {
    return {firmware.present,
            firmware.api_major,
            firmware.api_minor,
            firmware.build,
            firmware_state_name(firmware.state),
            firmware.guest_count};
}

LibvirtProperty libvirt_property(const probe::LibvirtReport& libvirt) {
    return {libvirt.available,
            libvirt.sev,
            libvirt.cbitpos,
            libvirt.reduced_phys_bits,
            libvirt.max_guests.value_or(0),
            libvirt.max_es_guests.value_or(0)};
}

} // namespace

HostProperties host_properties(const probe::HostReport& report) {
    HostProperties p;
    p.ready = report.ready;
    for (auto model : report.models) {
        p.models.emplace_back(model_name(model));
        p.traits.emplace_back(model_trait(model));
    }
    p.sev_slots = slot_pair(report.sev_slots);
    p.sev_es_slots = slot_pair(report.sev_es_slots);
    p.hypervisor = report.cpu.hypervisor;
    p.cpu = cpu_property(report.cpu);
    p.kernel = kernel_property(report.kernel);
    p.firmware = firmware_property(report.firmware);
    p.libvirt = libvirt_property(report.libvirt);
    p.mem_total = report.mem_total_bytes;
    return p;
}

std::vector<std::string> changed_host_properties(const HostProperties& a, const HostProperties& b) {
    ChangeList c;
    c.compare("Ready", a.ready, b.ready);
    c.compare("Models", a.models, b.models);
    c.compare("Traits", a.traits, b.traits);
    c.compare("SevSlots", a.sev_slots, b.sev_slots);
    c.compare("SevEsSlots", a.sev_es_slots, b.sev_es_slots);
    c.compare("Hypervisor", a.hypervisor, b.hypervisor);
    c.compare("Cpu", a.cpu, b.cpu);
    c.compare("Kernel", a.kernel, b.kernel);
    c.compare("Firmware", a.firmware, b.firmware);
    c.compare("Libvirt", a.libvirt, b.libvirt);
    c.compare("MemTotal", a.mem_total, b.mem_total);
    return c.take();
}

CpuStruct to_dbus(const CpuProperty& c) {
    return {c.vendor, c.brand,    c.sme,         c.sev,
            c.sev_es, c.sev_snp,  c.cbitpos,     c.reduced_phys_bits,
            c.vmpls,  c.max_asid, c.min_sev_asid};
}

KernelStruct to_dbus(const KernelProperty& k) {
    return {k.module_loaded, k.sev, k.sev_es, k.sev_snp};
}

FirmwareStruct to_dbus(const FirmwareProperty& f) {
    return {f.present, f.api_major, f.api_minor, f.build, f.state, f.guest_count};
}

LibvirtStruct to_dbus(const LibvirtProperty& l) {
    return {l.available, l.sev, l.cbitpos, l.reduced_phys_bits, l.max_guests, l.max_es_guests};
}

CpuProperty cpu_from_dbus(const CpuStruct& c) {
    const auto& [vendor, brand, sme, sev, sev_es, sev_snp, cbitpos, reduced_phys_bits, vmpls,
                 max_asid, min_sev_asid] = as_tuple(c);
    return {vendor, brand,    sme,         sev, sev_es, sev_snp, cbitpos, reduced_phys_bits,
            vmpls,  max_asid, min_sev_asid};
}

KernelProperty kernel_from_dbus(const KernelStruct& k) {
    const auto& [module_loaded, sev, sev_es, sev_snp] = as_tuple(k);
    return {module_loaded, sev, sev_es, sev_snp};
}

FirmwareProperty firmware_from_dbus(const FirmwareStruct& f) {
    const auto& [present, api_major, api_minor, build, state, guest_count] = as_tuple(f);
    return {present, api_major, api_minor, build, state, guest_count};
}

LibvirtProperty libvirt_from_dbus(const LibvirtStruct& l) {
    const auto& [available, sev, cbitpos, reduced_phys_bits, max_guests, max_es_guests] =
        as_tuple(l);
    return {available, sev, cbitpos, reduced_phys_bits, max_guests, max_es_guests};
}

} // namespace sevd::dbus
