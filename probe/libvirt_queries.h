// The libvirt calls the probe makes, on an open connection.
#pragma once

#include <optional>
#include <string>

#include "probe/host_facts.h"
#include "probe/launch_security_cache.h"
#include "probe/libvirt_handles.h"

namespace sevd::probe {

inline constexpr const char* kProbeMachineType = "q35";

// virConnectGetDomainCapabilities for q35 (what `virsh domcapabilities
// --machine q35` prints); nullopt with the libvirt error in `error`.
std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn, std::string& error);

// Running domains with <launchSecurity type='sev'>, per model (policy bit 2).
// With a cache, only domains it does not know yet have their XML read.
Source<RunningEncryptedGuests> count_running_encrypted_guests(virConnectPtr conn,
                                                              LaunchSecurityCache* cache = nullptr);

} // namespace sevd::probe
