// What the manager tells the published interfaces when its state changes
// (dbus/ implements it as PropertiesChanged and signals). Loop thread only.
#pragma once

#include "launcher/launcher.h"
#include "manager/tuning_state.h"
#include "probe/host_report.h"

namespace sevd::manager {

class Announcer {
public:
    virtual ~Announcer() = default;
    virtual void report_changed(const probe::HostReport& report) = 0;
    virtual void tuning_changed(const TuningState& state) = 0;
    virtual void guest_launched(const launcher::GuestInfo& guest) = 0;
    virtual void guest_stopped(const launcher::GuestInfo& guest) = 0;
    // The guest lists (Guests, AllGuests) may read differently.
    virtual void guests_changed() = 0;
};

} // namespace sevd::manager
