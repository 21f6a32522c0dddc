// Client of org.sevd.Tuning1 (tests, future sevdctl tune). Calls throw sdbus::Error.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/generated/org.sevd.Tuning1_proxy.h"

namespace sevd::dbus {

class TuningClient final : public sdbus::ProxyInterfaces<org::sevd::Tuning1_proxy> {
public:
    explicit TuningClient(sdbus::IConnection& bus);
    ~TuningClient();
    TuningClient(const TuningClient&) = delete;
    TuningClient& operator=(const TuningClient&) = delete;
};

} // namespace sevd::dbus
