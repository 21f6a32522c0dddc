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

// Where the probe reads libvirt from.
enum class LibvirtSource {
    None,     // --no-libvirt
    Snapshot, // root's libvirt/ (state.json, domcapabilities.xml): a replay
    Live,     // a connection to `libvirt_uri` (domain capabilities from the
              // snapshot when root is one)
};

struct ProbeOptions {
    std::filesystem::path root = "/";
    LibvirtSource libvirt = LibvirtSource::Live;
    std::string libvirt_uri = "qemu:///system";
    std::string machine_type = "q35";             // config [libvirt] machine_type
    std::optional<uint32_t> max_encrypted_guests; // config cap on each pool
};

// DESIGN.md: a snapshot replays alone; a live libvirt only when a URI was
// given explicitly. `explicit_uri` is --libvirt-uri.
LibvirtSource choose_libvirt_source(const std::filesystem::path& root, bool no_libvirt,
                                    bool explicit_uri);

// The libvirt facts `options` asks for (nullopt for LibvirtSource::None).
std::optional<LibvirtFacts> read_libvirt_for(const ProbeOptions& options);

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
LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                const std::string& machine_type = "q35");
// What is known without a connection: the URI and, when root is a snapshot,
// its domain capabilities. No libvirt call.
LibvirtFacts offline_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                   const std::string& machine_type = "q35");
// A snapshot's recorded libvirt (libvirt/state.json and domcapabilities.xml;
// without state.json, recorded capabilities mean connected with no running
// encrypted guests). No libvirt call.
LibvirtFacts snapshot_libvirt_facts(const std::filesystem::path& root);
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
