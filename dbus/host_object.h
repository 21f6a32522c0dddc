// org.sevd.Host1 at /org/sevd/Host1: serves the cached probe report. Adapts
// only: the daemon decides when to probe and hands the result to publish().
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/generated/org.sevd.Host1_adaptor.h"
#include "dbus/host_properties.h"
#include "probe/host_report.h"

namespace sevd::dbus {

class HostObject final : public sdbus::AdaptorInterfaces<org::sevd::Host1_adaptor> {
public:
    // `refresh` runs on Refresh(): it re-probes and calls publish().
    HostObject(sdbus::IConnection& bus, const probe::HostReport& report,
               std::function<void()> refresh);
    ~HostObject();
    HostObject(const HostObject&) = delete;
    HostObject& operator=(const HostObject&) = delete;

    // Replaces the cached report; emits PropertiesChanged for exactly the
    // properties whose values differ. Returns their names.
    std::vector<std::string> publish(const probe::HostReport& report);

private:
    std::string Describe() override;
    void Refresh() override;

    bool Ready() override { return props_.ready; }
    std::vector<std::string> Models() override { return props_.models; }
    std::vector<std::string> Traits() override { return props_.traits; }
    sdbus::Struct<uint32_t, uint32_t> SevSlots() override { return props_.sev_slots; }
    sdbus::Struct<uint32_t, uint32_t> SevEsSlots() override { return props_.sev_es_slots; }
    bool Hypervisor() override { return props_.hypervisor; }
    std::string CpuVendor() override { return props_.cpu_vendor; }
    std::string CpuBrand() override { return props_.cpu_brand; }
    bool CpuSme() override { return props_.cpu_sme; }
    bool CpuSev() override { return props_.cpu_sev; }
    bool CpuSevEs() override { return props_.cpu_sev_es; }
    bool CpuSevSnp() override { return props_.cpu_sev_snp; }
    uint32_t CBitPosition() override { return props_.cbit_position; }
    uint32_t ReducedPhysBits() override { return props_.reduced_phys_bits; }
    uint32_t Vmpls() override { return props_.vmpls; }
    uint32_t MaxAsid() override { return props_.max_asid; }
    uint32_t MinSevAsid() override { return props_.min_sev_asid; }
    bool KernelModuleLoaded() override { return props_.kernel_module_loaded; }
    bool KernelSev() override { return props_.kernel_sev; }
    bool KernelSevEs() override { return props_.kernel_sev_es; }
    bool KernelSevSnp() override { return props_.kernel_sev_snp; }
    bool FirmwarePresent() override { return props_.firmware_present; }
    sdbus::Struct<uint32_t, uint32_t> FirmwareApiVersion() override {
        return props_.firmware_api_version;
    }
    uint32_t FirmwareBuild() override { return props_.firmware_build; }
    std::string FirmwareState() override { return props_.firmware_state; }
    uint32_t FirmwareGuestCount() override { return props_.firmware_guest_count; }
    bool LibvirtAvailable() override { return props_.libvirt_available; }
    bool LibvirtSev() override { return props_.libvirt_sev; }
    uint32_t LibvirtCBitPosition() override { return props_.libvirt_cbit_position; }
    uint32_t LibvirtReducedPhysBits() override { return props_.libvirt_reduced_phys_bits; }
    uint32_t LibvirtMaxGuests() override { return props_.libvirt_max_guests; }
    uint32_t LibvirtMaxEsGuests() override { return props_.libvirt_max_es_guests; }
    uint64_t MemTotal() override { return props_.mem_total; }

    probe::HostReport report_;
    HostProperties props_;
    std::function<void()> refresh_;
};

} // namespace sevd::dbus
