// read_libvirt_facts: domain capabilities and running encrypted guests.
#include "probe/domcaps_decoder.h"
#include "probe/file_reader.h"
#include "probe/libvirt_queries.h"
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

Source<DomainCapsSev> domcaps_from_connection(virConnectPtr conn, const std::string& origin) {
    Source<DomainCapsSev> source;
    std::string error;
    const auto xml = fetch_domain_capabilities_xml(conn, error);
    if (!xml) {
        source.error = origin + ": " + error;
        return source;
    }
    decode_into(source, *xml, origin);
    return source;
}

} // namespace

LibvirtFacts offline_libvirt_facts(const std::filesystem::path& root, const std::string& uri) {
    LibvirtFacts facts;
    facts.uri = uri;
    if (is_live_root(root))
        return facts;
    const auto path = root / snapshot::kDomainCapabilities;
    facts.domcaps_source = path.string();
    facts.domcaps = domcaps_from_snapshot(path);
    return facts;
}

LibvirtFacts add_connection_facts(LibvirtFacts facts, bool live_domcaps,
                                  LaunchSecurityCache* cache) {
    const auto conn = libvirt::open_for_queries(facts.uri, facts.connect_error);
    if (!conn)
        return facts;
    facts.connected = true;
    facts.connect_error.clear();
    if (live_domcaps) {
        facts.domcaps_source = facts.uri + " (" + kProbeMachineType + ")";
        facts.domcaps = domcaps_from_connection(conn.get(), facts.domcaps_source);
    }
    if (cache)
        cache->begin(facts.uri);
    facts.running = count_running_encrypted_guests(conn.get(), cache);
    return facts;
}

LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri) {
    return add_connection_facts(offline_libvirt_facts(root, uri), is_live_root(root));
}

} // namespace sevd::probe
