// What `sevd serve` was asked to do (DESIGN.md "Commands").
#pragma once

#include "manager/manager_options.h"

namespace sevd::dbus {

enum class BusKind { System, Session };

struct DaemonOptions {
    BusKind bus = BusKind::System;
    manager::ManagerOptions manager;
};

// Runs the daemon until SIGTERM/SIGINT. Returns the process exit code: 0 clean
// exit, 1 the bus name is owned by another process or the bus is unreachable,
// 2 a bad configuration.
int run_daemon(const DaemonOptions& options);

} // namespace sevd::dbus
