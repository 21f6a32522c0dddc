// libvirt/state.json of a snapshot (DESIGN.md "Snapshot format"): what the
// probe saw of libvirt at capture time, so `--root DIR` replays it without a
// live libvirt. Pure: text in, facts out.
//   {"uri": s, "connected": b, "error": s, "version": n | null,
//    "running_encrypted": [{"name": s, "pool": "amd-sev" | "amd-sev-es",
//                           "launched_by_sevd": b}],
//                              (pool: the ASIDs held; SEV-SNP guests hold SEV-ES ones;
//                               launched_by_sevd: carries sevd's mark, absent = false)
//    "running_error": s,      (sevd extensions: why the running guests, or the
//    "domcaps_error": s}       domain capabilities, could not be read while
//                              connected; "" when they were)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "probe/host_facts.h"

namespace sevd::probe {

// The recorded part of `facts`: uri, connected, connect_error, version,
// running guests and a domain-capabilities error. The capabilities
// themselves are stored beside it (libvirt/domcapabilities.xml).
std::string format_libvirt_state(const LibvirtFacts& facts);

struct LibvirtStateParse {
    std::optional<LibvirtFacts> facts; // domcaps left for the caller to fill
    std::string domcaps_error;         // the recorded domain-capabilities error
    std::string error;                 // set when facts is nullopt
};

LibvirtStateParse parse_libvirt_state(std::string_view text);

} // namespace sevd::probe
