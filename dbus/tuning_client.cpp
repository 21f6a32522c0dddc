#include "dbus/tuning_client.h"

#include "dbus/bus_names.h"

namespace sevd::dbus {

TuningClient::TuningClient(sdbus::IConnection& bus) : ProxyInterfaces(bus, kBusName, kTuningPath) {
    registerProxy();
}

TuningClient::~TuningClient() {
    unregisterProxy();
}

} // namespace sevd::dbus
