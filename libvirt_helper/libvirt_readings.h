// What a live libvirt says, for the probe's report, `sevd capture` and
// `sevd tune`: the connection, its version, domain capabilities and running
// encrypted guests. Every call goes through the dlopen'd table
// (libvirt_library.h), so a command loads libvirt.so only when it asks.
// An unreachable libvirt is a reading saying so, never a throw.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "cgroups/running_sev_guests.h"
#include "probe/host_facts.h"
#include "probe/host_report.h"
#include "probe/launch_security_cache.h"
#include "probe/prober.h"
#include "probe/snapshot_writer.h"

namespace sevd::libvirt {

// Connects to facts.uri and adds what the connection says: connected or the
// connect error, the running encrypted guests, and (live_domcaps: root is
// the live host) the domain capabilities. `cache` (the helper keeps one
// across readings) spares reading the XML of running domains an earlier
// reading saw.
probe::LibvirtFacts add_connection_facts(probe::LibvirtFacts facts, bool live_domcaps,
                                         probe::LaunchSecurityCache* cache = nullptr);

// Domain capabilities (from root/libvirt/domcapabilities.xml when root is a
// snapshot, from the connection otherwise) and the running guests with
// <launchSecurity> per pool (from the connection). The daemon takes the two
// steps apart (its sevd-libvirt helper takes the second):
//   read_libvirt_facts(root, uri) ==
//       add_connection_facts(probe::offline_libvirt_facts(root, uri), probe::is_live_root(root))
probe::LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                       const std::string& machine_type = "q35");

// The libvirt facts `options` asks for (nullopt for LibvirtSource::None).
std::optional<probe::LibvirtFacts> read_libvirt_for(const probe::ProbeOptions& options);

// Everything, synchronously. Never throws for host problems (they become checks).
probe::HostReport probe_host(const probe::ProbeOptions& options);

// What `sevd capture` records of libvirt at `uri`.
probe::LibvirtCapture capture_libvirt(const std::string& uri, const std::string& machine_type);

// The running SEV guests' locked memory for `sevd tune` (read-only). An
// unreachable libvirt counts as no guests, with a note.
cgroups::RunningSevGuests query_running_sev_guests(const std::string& uri,
                                                   uint64_t guest_overhead_mb);

} // namespace sevd::libvirt
