// Client of org.sevd.Launcher1 and org.sevd.Tuning1 (sevdctl, tests):
// generated proxies; the signal callbacks run on the connection's event loop
// thread (when the caller runs one). Calls throw sdbus::Error.
#pragma once

#include <functional>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/generated/org.sevd.Launcher1_proxy.h"

namespace sevd::dbus {

class LauncherClient final : public sdbus::ProxyInterfaces<org::sevd::Launcher1_proxy> {
public:
    using LaunchedHandler = std::function<void(const std::string& name, const std::string& uuid,
                                               const std::string& model)>;
    using StoppedHandler = std::function<void(const std::string& name, const std::string& uuid)>;

    explicit LauncherClient(sdbus::IConnection& bus, LaunchedHandler on_launched = {},
                            StoppedHandler on_stopped = {});
    ~LauncherClient();
    LauncherClient(const LauncherClient&) = delete;
    LauncherClient& operator=(const LauncherClient&) = delete;

private:
    void onGuestLaunched(const std::string& name, const std::string& uuid,
                         const std::string& model) override;
    void onGuestStopped(const std::string& name, const std::string& uuid) override;

    LaunchedHandler on_launched_;
    StoppedHandler on_stopped_;
};

} // namespace sevd::dbus
