// The libvirt calls the probe makes, on an open connection.
#pragma once

#include <optional>
#include <string>

#include "probe/host_facts.h"
#include "probe/launch_security_cache.h"
#include "probe/libvirt_handles.h"

namespace sevd::probe {

// virConnectGetDomainCapabilities for `machine_type` (what `virsh
// domcapabilities --machine q35` prints for q35); nullopt with the libvirt
// error in `error`.
std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn,
                                                         const std::string& machine_type,
                                                         std::string& error);

// Running domains with <launchSecurity>, per ASID pool (sev-snp guests in
// the SEV-ES pool), and each by name. With a cache, only domains it does not
// know yet have their XML read.
Source<RunningEncryptedGuests> count_running_encrypted_guests(virConnectPtr conn,
                                                              LaunchSecurityCache* cache = nullptr);

// virConnectGetLibVersion: the libvirt daemon's version; nullopt when it fails.
std::optional<uint64_t> fetch_libvirt_version(virConnectPtr conn);

} // namespace sevd::probe
