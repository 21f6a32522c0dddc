// org.sevd.Host1 at /org/sevd/Host1: serves the cached probe report. Adapts
// only: the manager decides when to probe (Refresh is manager::Manager's) and
// announces each new report through publish().
#pragma once

#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/generated/org.sevd.Host1_adaptor.h"
#include "dbus/host_properties.h"
#include "manager/manager.h"
#include "probe/host_report.h"

namespace sevd::dbus {

class HostObject final : public sdbus::AdaptorInterfaces<org::sevd::Host1_adaptor> {
public:
    HostObject(sdbus::IConnection& bus, manager::Manager& manager);
    ~HostObject();
    HostObject(const HostObject&) = delete;
    HostObject& operator=(const HostObject&) = delete;

    // Replaces the cached report; emits PropertiesChanged for exactly the
    // properties whose values differ. Returns their names.
    std::vector<std::string> publish(const probe::HostReport& report);

private:
    std::string Describe() override;
    void Refresh(sdbus::Result<>&& result) override;
    void Certificates(sdbus::Result<std::string, std::string>&& result) override;

    bool Ready() override { return props_.ready; }
    std::vector<std::string> Models() override { return props_.models; }
    std::vector<std::string> Traits() override { return props_.traits; }
    sdbus::Struct<uint32_t, uint32_t> SevSlots() override { return props_.sev_slots; }
    sdbus::Struct<uint32_t, uint32_t> SevEsSlots() override { return props_.sev_es_slots; }
    sdbus::Struct<uint32_t, uint32_t> SevSnpSlots() override { return props_.sev_snp_slots; }
    bool Hypervisor() override { return props_.hypervisor; }
    Section Cpu() override { return sections_.cpu; }
    Section Kernel() override { return sections_.kernel; }
    Section Firmware() override { return sections_.firmware; }
    Section Libvirt() override { return sections_.libvirt; }
    uint64_t MemTotal() override { return props_.mem_total; }

    // The a{sv} sections, converted once per report rather than once per Get.
    struct Sections {
        Section cpu;
        Section kernel;
        Section firmware;
        Section libvirt;
    };
    static Sections sections_of(const HostProperties& props);

    HostProperties props_;
    Sections sections_;
    // Describe()'s answer, built once per report rather than once per call.
    std::string describe_json_;
    manager::Manager& manager_;
};

} // namespace sevd::dbus
