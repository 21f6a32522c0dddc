// The probe's entry points. Readers take the root they read ("/" = this host:
// CPUID instruction, /dev/sev ioctl, sysfs, /proc; anything else = a snapshot
// directory in the DESIGN.md format); build_report is pure. What a live
// libvirt says is read in libvirt_helper/libvirt_readings.h (probe_host too).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "probe/host_facts.h"
#include "probe/host_report.h"

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

// Everything except libvirt (fast: no connection).
HostFacts read_host_facts(const std::filesystem::path& root);

// What is known without a connection: the URI and, when root is a snapshot,
// its domain capabilities. No libvirt call.
LibvirtFacts offline_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                   const std::string& machine_type = "q35");
// A snapshot's recorded libvirt (libvirt/state.json and domcapabilities.xml;
// without state.json, recorded capabilities mean connected with no running
// encrypted guests). No libvirt call.
LibvirtFacts snapshot_libvirt_facts(const std::filesystem::path& root);
// A domain-capabilities XML as the report holds it; `origin` (file or URI)
// prefixes a decoding error. PURE.
Source<DomainCapsSev> decode_domain_caps_source(std::string_view xml, const std::string& origin);

// PURE. libvirt nullopt = not consulted (--no-libvirt).
HostReport build_report(const HostFacts& host, const std::optional<LibvirtFacts>& libvirt,
                        std::optional<uint32_t> max_encrypted_guests);

// True when root names the live host rather than a snapshot.
bool is_live_root(const std::filesystem::path& root);

} // namespace sevd::probe
