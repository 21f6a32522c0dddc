#include "dbus/host_properties.h"

namespace sevd::dbus {
namespace {

std::string firmware_state_name(const std::optional<probe::FirmwareState>& state) {
    if (!state)
        return "";
    switch (*state) {
    case probe::FirmwareState::Uninit:
        return "uninit";
    case probe::FirmwareState::Init:
        return "init";
    case probe::FirmwareState::Working:
        return "working";
    }
    return "";
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

    p.cpu_vendor = report.cpu.vendor;
    p.cpu_brand = report.cpu.brand;
    p.cpu_sme = report.cpu.sme;
    p.cpu_sev = report.cpu.sev;
    p.cpu_sev_es = report.cpu.sev_es;
    p.cpu_sev_snp = report.cpu.sev_snp;
    p.cbit_position = report.cpu.cbitpos;
    p.reduced_phys_bits = report.cpu.reduced_phys_bits;
    p.vmpls = report.cpu.vmpls;
    p.max_asid = report.cpu.max_asid;
    p.min_sev_asid = report.cpu.min_sev_asid;

    p.kernel_module_loaded = report.kernel.module_loaded;
    p.kernel_sev = report.kernel.sev;
    p.kernel_sev_es = report.kernel.sev_es;
    p.kernel_sev_snp = report.kernel.sev_snp;

    p.firmware_present = report.firmware.present;
    p.firmware_api_version = {report.firmware.api_major, report.firmware.api_minor};
    p.firmware_build = report.firmware.build;
    p.firmware_state = firmware_state_name(report.firmware.state);
    p.firmware_guest_count = report.firmware.guest_count;

    p.libvirt_available = report.libvirt.available;
    p.libvirt_sev = report.libvirt.sev;
    p.libvirt_cbit_position = report.libvirt.cbitpos;
    p.libvirt_reduced_phys_bits = report.libvirt.reduced_phys_bits;
    p.libvirt_max_guests = report.libvirt.max_guests.value_or(0);
    p.libvirt_max_es_guests = report.libvirt.max_es_guests.value_or(0);

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
    c.compare("CpuVendor", a.cpu_vendor, b.cpu_vendor);
    c.compare("CpuBrand", a.cpu_brand, b.cpu_brand);
    c.compare("CpuSme", a.cpu_sme, b.cpu_sme);
    c.compare("CpuSev", a.cpu_sev, b.cpu_sev);
    c.compare("CpuSevEs", a.cpu_sev_es, b.cpu_sev_es);
    c.compare("CpuSevSnp", a.cpu_sev_snp, b.cpu_sev_snp);
    c.compare("CBitPosition", a.cbit_position, b.cbit_position);
    c.compare("ReducedPhysBits", a.reduced_phys_bits, b.reduced_phys_bits);
    c.compare("Vmpls", a.vmpls, b.vmpls);
    c.compare("MaxAsid", a.max_asid, b.max_asid);
    c.compare("MinSevAsid", a.min_sev_asid, b.min_sev_asid);
    c.compare("KernelModuleLoaded", a.kernel_module_loaded, b.kernel_module_loaded);
    c.compare("KernelSev", a.kernel_sev, b.kernel_sev);
    c.compare("KernelSevEs", a.kernel_sev_es, b.kernel_sev_es);
    c.compare("KernelSevSnp", a.kernel_sev_snp, b.kernel_sev_snp);
    c.compare("FirmwarePresent", a.firmware_present, b.firmware_present);
    c.compare("FirmwareApiVersion", a.firmware_api_version, b.firmware_api_version);
    c.compare("FirmwareBuild", a.firmware_build, b.firmware_build);
    c.compare("FirmwareState", a.firmware_state, b.firmware_state);
    c.compare("FirmwareGuestCount", a.firmware_guest_count, b.firmware_guest_count);
    c.compare("LibvirtAvailable", a.libvirt_available, b.libvirt_available);
    c.compare("LibvirtSev", a.libvirt_sev, b.libvirt_sev);
    c.compare("LibvirtCBitPosition", a.libvirt_cbit_position, b.libvirt_cbit_position);
    c.compare("LibvirtReducedPhysBits", a.libvirt_reduced_phys_bits, b.libvirt_reduced_phys_bits);
    c.compare("LibvirtMaxGuests", a.libvirt_max_guests, b.libvirt_max_guests);
    c.compare("LibvirtMaxEsGuests", a.libvirt_max_es_guests, b.libvirt_max_es_guests);
    c.compare("MemTotal", a.mem_total, b.mem_total);
    return c.take();
}

} // namespace sevd::dbus
