// read_libvirt_facts: domain capabilities and running encrypted guests.
#include "common/file_reader.h"
#include "probe/domcaps_decoder.h"
#include "probe/libvirt_queries.h"
#include "probe/libvirt_state.h"
#include "probe/prober.h"
#include "probe/snapshot_layout.h"

namespace sevd::probe {
namespace {

void decode_into(Source<DomainCapsSev>& source, std::string_view xml, const std::string& origin) {
    auto parsed = decode_domain_caps_sev(xml);
    source.value = parsed.sev;
    if (!parsed.sev)
        source.error = origin + ": " + parsed.error;
}

Source<DomainCapsSev> domcaps_from_snapshot(const std::filesystem::path& path) {
    Source<DomainCapsSev> source;
    const auto file = read_small_file(path);
    if (file.status == FileRead::Status::Missing)
        return source; // no libvirt on the captured host
    if (!file.ok()) {
        source.error = file.error;
        return source;
    }
    decode_into(source, file.content, path.string());
    return source;
}

Source<DomainCapsSev> domcaps_from_connection(virConnectPtr conn, const std::string& machine_type,
                                              const std::string& origin) {
    Source<DomainCapsSev> source;
    std::string error;
    const auto xml = fetch_domain_capabilities_xml(conn, machine_type, error);
    if (!xml) {
        source.error = origin + ": " + error;
        return source;
    }
    decode_into(source, *xml, origin);
    return source;
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

LibvirtFacts add_connection_facts(LibvirtFacts facts, bool live_domcaps,
                                  LaunchSecurityCache* cache) {
    const auto conn = libvirt::open_for_queries(facts.uri, facts.connect_error);
    if (!conn)
        return facts;
    facts.connected = true;
    facts.connect_error.clear();
    facts.version = fetch_libvirt_version(conn.get());
    if (live_domcaps) {
        facts.domcaps_source = facts.uri + " (" + facts.machine_type + ")";
        facts.domcaps =
            domcaps_from_connection(conn.get(), facts.machine_type, facts.domcaps_source);
    }
    if (cache)
        cache->begin(facts.uri);
    facts.running = count_running_encrypted_guests(conn.get(), cache);
    return facts;
}

LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                const std::string& machine_type) {
    return add_connection_facts(offline_libvirt_facts(root, uri, machine_type), is_live_root(root));
}

} // namespace sevd::probe
