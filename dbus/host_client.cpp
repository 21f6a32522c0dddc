#include "dbus/host_client.h"

#include "dbus/bus_names.h"

namespace sevd::dbus {

HostClient::HostClient(sdbus::IConnection& bus) : ProxyInterfaces(bus, kBusName, kHostPath) {
    registerProxy();
}

HostClient::~HostClient() {
    unregisterProxy();
}

std::map<std::string, sdbus::Variant> HostClient::all_properties() {
    std::map<std::string, sdbus::Variant> properties;
    getProxy()
        .callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments(std::string(kHostInterface))
        .storeResultsTo(properties);
    return properties;
}

} // namespace sevd::dbus
