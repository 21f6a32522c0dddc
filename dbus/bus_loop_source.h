// The bus connection as the manager's loop sees it: sd-bus's poll request
// and one sd_bus_process() step per wake-up.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include "manager/main_loop.h"

namespace sevd::dbus {

class BusLoopSource final : public manager::LoopSource {
public:
    explicit BusLoopSource(sdbus::IConnection& bus) : bus_(bus) {}
    void process() override;
    PollRequest poll_request() override;

private:
    sdbus::IConnection& bus_;
};

} // namespace sevd::dbus
