// The libvirt queries behind the probe's libvirt facts, on an open connection.
#pragma once

#include <optional>
#include <string>

#include "libvirt_helper/libvirt_handles.h"
#include "probe/host_facts.h"
#include "probe/launch_security_cache.h"

namespace sevd::libvirt {

// virConnectGetDomainCapabilities for `machine_type` (what `virsh
// domcapabilities --machine q35` prints for q35); nullopt with the libvirt
// error in `error`.
std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn,
                                                         const std::string& machine_type,
                                                         std::string& error);

// Running domains with <launchSecurity>, per ASID pool (sev-snp guests in
// the SEV-ES pool), and each by name. With a cache, only domains it does not
// know yet have their XML read.
probe::Source<probe::RunningEncryptedGuests>
count_running_encrypted_guests(virConnectPtr conn, probe::LaunchSecurityCache* cache = nullptr);

// virConnectGetLibVersion: the libvirt daemon's version; nullopt when it fails.
std::optional<uint64_t> fetch_libvirt_version(virConnectPtr conn);

} // namespace sevd::libvirt
