// The daemon on the bus: connects, publishes Host1, Launcher1 and Tuning1
// over the manager, owns the name, and turns what the manager announces into
// PropertiesChanged and signals. One instance per process.
#pragma once

#include <memory>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/authorizer.h"
#include "dbus/bus_loop_source.h"
#include "dbus/daemon_options.h"
#include "dbus/host_object.h"
#include "dbus/launcher_object.h"
#include "dbus/tuning_object.h"
#include "manager/announcer.h"
#include "manager/manager.h"

namespace sevd::dbus {

class BusService final : public manager::Announcer {
public:
    // Loads the configuration and probes the host (manager::Manager). Throws
    // config::ConfigError.
    explicit BusService(DaemonOptions options);
    ~BusService() override;
    BusService(const BusService&) = delete;
    BusService& operator=(const BusService&) = delete;

    // Connects, publishes the objects, takes the bus name, then serves until
    // SIGTERM/SIGINT. Returns the exit code (see run_daemon).
    int run();

private:
    void report_changed(const probe::HostReport& report) override;
    void tuning_changed(const manager::TuningState& state) override;
    void guest_launched(const launcher::GuestInfo& guest) override;
    void guest_stopped(const launcher::GuestInfo& guest) override;
    void guests_changed() override;

    DaemonOptions options_;
    // Before the manager: the replies the manager still holds (unanswered
    // calls) are messages of this connection, freed first.
    std::unique_ptr<sdbus::IConnection> bus_;
    std::unique_ptr<BusLoopSource> bus_source_;
    manager::Manager manager_;
    // After the manager: gone before it, as they call into it.
    std::unique_ptr<Authorizer> authorizer_;
    std::unique_ptr<HostObject> host_object_;
    std::unique_ptr<LauncherObject> launcher_object_;
    std::unique_ptr<TuningObject> tuning_object_;
};

} // namespace sevd::dbus
