// The helper's side of the attestation methods (protocol.h): each request
// becomes one LibvirtClient call. The daemon's side is HelperDomains.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {

// The result of `request` when it is an attestation method; nullopt when it
// is another method. Throws LaunchError (libvirt) or ProtocolError.
std::optional<nlohmann::json> attestation_call(LibvirtClient& client, const Request& request);

} // namespace sevd::libvirt_helper
