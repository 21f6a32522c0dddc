// What the daemon serves (DESIGN.md "Commands": `sevd serve`), bus aside.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.h"

namespace sevd::manager {

struct ManagerOptions {
    std::filesystem::path root = "/"; // "/" = this host, else a snapshot directory
    // nullopt: the config's [libvirt] uri, or with a snapshot root the
    // libvirt the snapshot recorded (no live libvirt at all)
    std::optional<std::string> libvirt_uri;
    std::filesystem::path config_path = config::kDefaultConfigPath;
    std::filesystem::path libvirt_helper; // the sevd-libvirt executable
};

} // namespace sevd::manager
