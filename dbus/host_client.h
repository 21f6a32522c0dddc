// Client of org.sevd.Host1 (sevdctl, tests, benchmarks): generated proxy over
// a connection the caller owns. Calls throw sdbus::Error.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/generated/org.sevd.Host1_proxy.h"
#include "dbus/host_properties.h"

namespace sevd::dbus {

class HostClient final : public sdbus::ProxyInterfaces<org::sevd::Host1_proxy> {
public:
    explicit HostClient(sdbus::IConnection& bus);
    ~HostClient();
    HostClient(const HostClient&) = delete;
    HostClient& operator=(const HostClient&) = delete;

    // org.freedesktop.DBus.Properties.GetAll on org.sevd.Host1.
    std::map<std::string, sdbus::Variant> all_properties();

    // The struct-typed properties with named fields (one Get each).
    CpuProperty cpu() { return cpu_from_dbus(Cpu()); }
    KernelProperty kernel() { return kernel_from_dbus(Kernel()); }
    FirmwareProperty firmware() { return firmware_from_dbus(Firmware()); }
    LibvirtProperty libvirt() { return libvirt_from_dbus(Libvirt()); }
};

} // namespace sevd::dbus
