// The instance options that are neither flavor nor image properties:
// disk_format, sevd:network, sevd:seed (DESIGN.md "Launch requests"). Each
// parser takes the raw value and returns the normalised choice or throws
// LaunchError(InvalidArgument) naming the key, the value and what is
// accepted. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/launch_request.h"
#include "launcher/property_rules.h"

namespace sevd::launcher::rules {

// disk_format: raw (default) or qcow2, as Glance names it. Never guessed.
ImageFormat choose_disk_format(std::optional<Setting> format);

// sevd:network: comma-separated libvirt network names, each in `allowed`
// ([guests] networks), none twice. Unset: no NIC.
std::vector<std::string> choose_networks(std::optional<Setting> networks,
                                         const std::vector<std::string>& allowed);

// sevd:seed: an absolute path (where it points is checked when it is opened).
std::string choose_seed(std::optional<Setting> seed);

} // namespace sevd::launcher::rules
