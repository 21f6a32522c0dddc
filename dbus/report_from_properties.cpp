#include "dbus/report_from_properties.h"

#include "dbus/host_properties.h"

namespace sevd::dbus {
namespace {

class PropertyReader {
public:
    explicit PropertyReader(const std::map<std::string, sdbus::Variant>& properties)
        : properties_(properties) {}

    // Sets `into` when the property is present; a missing one keeps the default.
    template <typename T> void read(const char* name, T& into) const {
        const auto it = properties_.find(name);
        if (it != properties_.end())
            into = it->second.get<T>();
    }

private:
    const std::map<std::string, sdbus::Variant>& properties_;
};

probe::CheckStatus status_from_name(const std::string& name) {
    if (name == "pass")
        return probe::CheckStatus::Pass;
    if (name == "warn")
        return probe::CheckStatus::Warn;
    if (name == "fail")
        return probe::CheckStatus::Fail;
    return probe::CheckStatus::Skip;
}

std::optional<probe::FirmwareState> state_from_name(const std::string& name) {
    if (name == "uninit")
        return probe::FirmwareState::Uninit;
    if (name == "init")
        return probe::FirmwareState::Init;
    if (name == "working")
        return probe::FirmwareState::Working;
    return std::nullopt;
}

probe::SlotCount slots_from(const UintPair& pair) {
    return {std::get<0>(pair), std::get<1>(pair)};
}

} // namespace

probe::HostReport report_from_properties(const std::map<std::string, sdbus::Variant>& properties) {
    const PropertyReader in(properties);
    HostProperties p;
    in.read("Ready", p.ready);
    in.read("Models", p.models);
    in.read("SevSlots", p.sev_slots);
    in.read("SevEsSlots", p.sev_es_slots);
    in.read("Hypervisor", p.hypervisor);
    in.read("CpuVendor", p.cpu_vendor);
    in.read("CpuBrand", p.cpu_brand);
    in.read("CpuSme", p.cpu_sme);
    in.read("CpuSev", p.cpu_sev);
    in.read("CpuSevEs", p.cpu_sev_es);
    in.read("CpuSevSnp", p.cpu_sev_snp);
    in.read("CBitPosition", p.cbit_position);
    in.read("ReducedPhysBits", p.reduced_phys_bits);
    in.read("Vmpls", p.vmpls);
    in.read("MaxAsid", p.max_asid);
    in.read("MinSevAsid", p.min_sev_asid);
    in.read("KernelModuleLoaded", p.kernel_module_loaded);
    in.read("KernelSev", p.kernel_sev);
    in.read("KernelSevEs", p.kernel_sev_es);
    in.read("KernelSevSnp", p.kernel_sev_snp);
    in.read("FirmwarePresent", p.firmware_present);
    in.read("FirmwareApiVersion", p.firmware_api_version);
    in.read("FirmwareBuild", p.firmware_build);
    in.read("FirmwareState", p.firmware_state);
    in.read("FirmwareGuestCount", p.firmware_guest_count);
    in.read("LibvirtAvailable", p.libvirt_available);
    in.read("LibvirtSev", p.libvirt_sev);
    in.read("LibvirtCBitPosition", p.libvirt_cbit_position);
    in.read("LibvirtReducedPhysBits", p.libvirt_reduced_phys_bits);
    in.read("LibvirtMaxGuests", p.libvirt_max_guests);
    in.read("LibvirtMaxEsGuests", p.libvirt_max_es_guests);
    in.read("MemTotal", p.mem_total);
    in.read("Checks", p.checks);

    probe::HostReport r;
    r.ready = p.ready;
    for (const auto& name : p.models)
        if (auto model = model_from_name(name))
            r.models.push_back(*model);
    r.sev_slots = slots_from(p.sev_slots);
    r.sev_es_slots = slots_from(p.sev_es_slots);
    r.cpu.vendor = p.cpu_vendor;
    r.cpu.brand = p.cpu_brand;
    r.cpu.hypervisor = p.hypervisor;
    r.cpu.sme = p.cpu_sme;
    r.cpu.sev = p.cpu_sev;
    r.cpu.sev_es = p.cpu_sev_es;
    r.cpu.sev_snp = p.cpu_sev_snp;
    r.cpu.cbitpos = p.cbit_position;
    r.cpu.reduced_phys_bits = p.reduced_phys_bits;
    r.cpu.vmpls = p.vmpls;
    r.cpu.max_asid = p.max_asid;
    r.cpu.min_sev_asid = p.min_sev_asid;
    r.kernel = {p.kernel_module_loaded, p.kernel_sev, p.kernel_sev_es, p.kernel_sev_snp};
    r.firmware.present = p.firmware_present;
    r.firmware.api_major = std::get<0>(p.firmware_api_version);
    r.firmware.api_minor = std::get<1>(p.firmware_api_version);
    r.firmware.build = p.firmware_build;
    r.firmware.state = state_from_name(p.firmware_state);
    r.firmware.guest_count = p.firmware_guest_count;
    r.libvirt.available = p.libvirt_available;
    r.libvirt.sev = p.libvirt_sev;
    r.libvirt.cbitpos = p.libvirt_cbit_position;
    r.libvirt.reduced_phys_bits = p.libvirt_reduced_phys_bits;
    if (p.libvirt_max_guests != 0)
        r.libvirt.max_guests = p.libvirt_max_guests;
    if (p.libvirt_max_es_guests != 0)
        r.libvirt.max_es_guests = p.libvirt_max_es_guests;
    r.mem_total_bytes = p.mem_total;
    for (const auto& check : p.checks)
        r.checks.push_back({std::get<0>(check), status_from_name(std::get<1>(check)),
                            std::get<2>(check), std::get<3>(check)});
    return r;
}

} // namespace sevd::dbus
