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

    // The a{sv} sections as JSON objects keyed like the report (one Get each).
    nlohmann::json cpu() { return section_from_dbus(Cpu()); }
    nlohmann::json kernel() { return section_from_dbus(Kernel()); }
    nlohmann::json firmware() { return section_from_dbus(Firmware()); }
    nlohmann::json libvirt() { return section_from_dbus(Libvirt()); }
};

} // namespace sevd::dbus
