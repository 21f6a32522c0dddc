#include "libvirt_helper/libvirt_readings.h"

#include "libvirt_helper/libvirt_queries.h"

namespace sevd::libvirt {
namespace {

probe::Source<probe::DomainCapsSev> domcaps_from_connection(virConnectPtr conn,
                                                            const std::string& machine_type,
                                                            const std::string& origin) {
    std::string error;
    const auto xml = fetch_domain_capabilities_xml(conn, machine_type, error);
    if (!xml) {
        probe::Source<probe::DomainCapsSev> source;
        source.error = origin + ": " + error;
        return source;
    }
    return probe::decode_domain_caps_source(*xml, origin);
}

} // namespace

probe::LibvirtFacts add_connection_facts(probe::LibvirtFacts facts, bool live_domcaps,
                                         probe::LaunchSecurityCache* cache) {
    const auto conn = open_for_queries(facts.uri, facts.connect_error);
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

probe::LibvirtFacts read_libvirt_facts(const std::filesystem::path& root, const std::string& uri,
                                       const std::string& machine_type) {
    return add_connection_facts(probe::offline_libvirt_facts(root, uri, machine_type),
                                probe::is_live_root(root));
}

std::optional<probe::LibvirtFacts> read_libvirt_for(const probe::ProbeOptions& options) {
    switch (options.libvirt) {
    case probe::LibvirtSource::None:
        return std::nullopt;
    case probe::LibvirtSource::Snapshot:
        return probe::snapshot_libvirt_facts(options.root);
    case probe::LibvirtSource::Live:
        return read_libvirt_facts(options.root, options.libvirt_uri, options.machine_type);
    }
    return std::nullopt;
}

probe::HostReport probe_host(const probe::ProbeOptions& options) {
    const auto host = probe::read_host_facts(options.root);
    std::optional<probe::LibvirtFacts> libvirt;
    if (host.root_error.empty())
        libvirt = read_libvirt_for(options);
    return probe::build_report(host, libvirt, options.max_encrypted_guests);
}

// What a live probe would read: the connection (or its error) and running
// guests for state.json, the domain capabilities beside it.
probe::LibvirtCapture capture_libvirt(const std::string& uri, const std::string& machine_type) {
    probe::LibvirtCapture capture;
    auto& facts = capture.facts;
    facts.uri = uri;
    facts.machine_type = machine_type;
    const auto conn = open_for_queries(uri, facts.connect_error);
    if (!conn)
        return capture;
    facts.connected = true;
    facts.version = fetch_libvirt_version(conn.get());
    facts.running = count_running_encrypted_guests(conn.get());
    std::string error;
    capture.domcaps_xml = fetch_domain_capabilities_xml(conn.get(), machine_type, error);
    if (!capture.domcaps_xml)
        facts.domcaps.error = uri + " (" + machine_type + "): " + error;
    return capture;
}

} // namespace sevd::libvirt
