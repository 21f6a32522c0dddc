// libvirt as known without a connection: a snapshot's recorded state and
// domain capabilities (libvirt_helper/libvirt_readings.h adds the connection).
#include "common/file_reader.h"
#include "probe/domcaps_decoder.h"
#include "probe/libvirt_state.h"
#include "probe/prober.h"
#include "probe/snapshot_layout.h"

namespace sevd::probe {
namespace {

Source<DomainCapsSev> domcaps_from_snapshot(const std::filesystem::path& path) {
    Source<DomainCapsSev> source;
    const auto file = read_small_file(path);
    if (file.status == FileRead::Status::Missing)
        return source; // no libvirt on the captured host
    if (!file.ok()) {
        source.error = file.error;
        return source;
    }
    return decode_domain_caps_source(file.content, path.string());
}

// The snapshot's state.json, or why it cannot be used (connected = false).
LibvirtFacts recorded_state(const std::filesystem::path& path, const FileRead& file) {
    LibvirtFacts facts;
    facts.uri = path.parent_path().string() + " (recorded)";
    if (!file.ok()) {
        facts.connect_error = file.error;
        return facts;
    }
    auto parsed = parse_libvirt_state(file.content);
    if (!parsed.facts) {
        facts.connect_error = path.string() + ": " + parsed.error + " (re-capture the snapshot)";
        return facts;
    }
    facts = std::move(*parsed.facts);
    facts.domcaps.error = parsed.domcaps_error;
    return facts;
}

} // namespace

Source<DomainCapsSev> decode_domain_caps_source(std::string_view xml, const std::string& origin) {
    Source<DomainCapsSev> source;
    auto parsed = decode_domain_caps_sev(xml);
    source.value = parsed.sev;
    if (!parsed.sev)
        source.error = origin + ": " + parsed.error;
    return source;
}

LibvirtFacts offline_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                   const std::string& machine_type) {
    LibvirtFacts facts;
    facts.uri = uri;
    facts.machine_type = machine_type;
    if (is_live_root(root))
        return facts;
    const auto path = root / snapshot::kDomainCapabilities;
    facts.domcaps_source = path.string();
    facts.domcaps = domcaps_from_snapshot(path);
    return facts;
}

LibvirtFacts snapshot_libvirt_facts(const std::filesystem::path& root) {
    const auto state_path = root / snapshot::kLibvirtState;
    const auto domcaps_path = root / snapshot::kDomainCapabilities;
    const auto state = read_small_file(state_path);
    LibvirtFacts facts;
    if (state.status != FileRead::Status::Missing) {
        facts = recorded_state(state_path, state);
    } else {
        // Older snapshots: capabilities recorded means libvirt answered then.
        facts.uri = (root / "libvirt").string() + " (recorded)";
        facts.connected = std::filesystem::exists(domcaps_path);
        if (facts.connected)
            facts.running.value = RunningEncryptedGuests{};
        else
            facts.connect_error = "no libvirt in the snapshot (" + state_path.string() + " and " +
                                  domcaps_path.string() + " absent: captured with --no-libvirt)";
    }
    // Not connected then: nothing was asked, as a live probe would not ask.
    if (facts.connected) {
        facts.domcaps_source = domcaps_path.string();
        if (facts.domcaps.error.empty())
            facts.domcaps = domcaps_from_snapshot(domcaps_path);
    }
    return facts;
}

} // namespace sevd::probe
