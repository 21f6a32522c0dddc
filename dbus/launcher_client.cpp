#include "dbus/launcher_client.h"

#include "dbus/bus_names.h"

namespace sevd::dbus {

LauncherClient::LauncherClient(sdbus::IConnection& bus, LaunchedHandler on_launched,
                               StoppedHandler on_stopped)
    : ProxyInterfaces(bus, kBusName, kLauncherPath), on_launched_(std::move(on_launched)),
      on_stopped_(std::move(on_stopped)) {
    registerProxy();
}

LauncherClient::~LauncherClient() {
    unregisterProxy();
}

void LauncherClient::onGuestLaunched(const std::string& name, const std::string& uuid,
                                     const std::string& model) {
    if (on_launched_)
        on_launched_(name, uuid, model);
}

void LauncherClient::onGuestStopped(const std::string& name, const std::string& uuid) {
    if (on_stopped_)
        on_stopped_(name, uuid);
}

} // namespace sevd::dbus
