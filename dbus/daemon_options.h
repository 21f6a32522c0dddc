// What `sevd serve` was asked to do (DESIGN.md "Commands").
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.h"

namespace sevd::dbus {

enum class BusKind { System, Session };

struct DaemonOptions {
    BusKind bus = BusKind::System;
    std::filesystem::path root = "/"; // "/" = this host, else a snapshot directory
    // nullopt: the config's [libvirt] uri, or with a snapshot root the
    // libvirt the snapshot recorded (no live libvirt at all)
    std::optional<std::string> libvirt_uri;
    std::filesystem::path config_path = config::kDefaultConfigPath;
    std::filesystem::path libvirt_helper; // the sevd-libvirt executable
};

// Runs the daemon until SIGTERM/SIGINT. Returns the process exit code: 0 clean
// exit, 1 the bus name is owned by another process or the bus is unreachable,
// 2 a bad configuration.
int run_daemon(const DaemonOptions& options);

} // namespace sevd::dbus
