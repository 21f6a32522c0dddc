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
    // `refresh` runs on Refresh() with the call's reply: the daemon decides
    // when to re-probe (coalescing bursts), calls publish() and then replies.
    using RefreshHandler = std::function<void(sdbus::Result<>)>;
    HostObject(sdbus::IConnection& bus, const probe::HostReport& report, RefreshHandler refresh);
    ~HostObject();
    HostObject(const HostObject&) = delete;
    HostObject& operator=(const HostObject&) = delete;

    // Replaces the cached report; emits PropertiesChanged for exactly the
    // properties whose values differ. Returns their names.
    std::vector<std::string> publish(const probe::HostReport& report);

    using CertificatesHandler = std::function<void(sdbus::Result<std::string, std::string>&&)>;
    // Answers Certificates() (the platform's keys come from libvirt, off the loop).
    void set_certificates_handler(CertificatesHandler handler) {
        certificates_ = std::move(handler);
    }

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
    RefreshHandler refresh_;
    CertificatesHandler certificates_;
};

} // namespace sevd::dbus
