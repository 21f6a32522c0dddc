// The probe's entry points. Readers take the root they read ("/" = this host:
// CPUID instruction, /dev/sev ioctl, sysfs, /proc; anything else = a snapshot
// directory in the DESIGN.md format); build_report is pure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "probe/host_facts.h"
#include "probe/host_report.h"
#include "probe/launch_security_cache.h"

namespace sevd::probe {

struct ProbeOptions {
    std::filesystem::path root = "/";
    std::optional<std::string> libvirt_uri = "qemu:///system"; // nullopt = --no-libvirt
    std::optional<uint32_t> max_encrypted_guests;              // config cap on each pool
};

// Everything, synchronously. Never throws for host problems (they become checks).
HostReport probe_host(const ProbeOptions& options);

// Everything except libvirt (fast: no connection).
HostFacts read_host_facts(const std::filesystem::path& root);

// Domain capabilities (from root/libvirt/domcapabilities.xml when root is a
// snapshot, from the connection otherwise) and the running guests with
// <launchSecurity> per model (from the connection). An unreachable libvirt is
// a LibvirtFacts saying so with the error text, never a throw.
// The same, in two steps (the daemon takes the first itself and has its
// sevd-libvirt helper take the second, so libvirt never loads in the daemon):
//   read_libvirt_facts(root, uri) ==
//       add_connection_facts(offline_libvirt_facts(root, uri), is_live_root(root))
LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri);
// What is known without a connection: the URI and, when root is a snapshot,
// its domain capabilities. No libvirt call.
LibvirtFacts offline_libvirt_facts(const std::filesystem::path& root, const std::string& uri);
// Connects to facts.uri and adds what the connection says: connected or the
// connect error, the running encrypted guests, and (live_domcaps: root is
// the live host) the domain capabilities.
// `cache` (the helper keeps one across readings) spares reading the XML of
// running domains an earlier reading saw.
LibvirtFacts add_connection_facts(LibvirtFacts facts, bool live_domcaps,
                                  LaunchSecurityCache* cache = nullptr);

// PURE. libvirt nullopt = not consulted (--no-libvirt).
HostReport build_report(const HostFacts& host, const std::optional<LibvirtFacts>& libvirt,
                        std::optional<uint32_t> max_encrypted_guests);

// True when root names the live host rather than a snapshot.
bool is_live_root(const std::filesystem::path& root);

} // namespace sevd::probe
