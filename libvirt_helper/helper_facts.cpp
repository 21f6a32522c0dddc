#include "libvirt_helper/helper_facts.h"

#include "launcher/launch_error.h"
#include "probe/prober.h"

namespace sevd::libvirt_helper {

probe::LibvirtFacts read_facts_through(HelperLink& link, const std::filesystem::path& root,
                                       const std::string& uri, const std::string& machine_type) {
    probe::LibvirtFacts facts = probe::offline_libvirt_facts(root, uri, machine_type);
    const bool live = probe::is_live_root(root);
    probe::LibvirtFacts read;
    try {
        const auto answer = link.call(
            method::kReadFacts,
            {{"uri", uri}, {"machine_type", machine_type}, {"live_domcaps", live}}, kFactsTimeout);
        read = facts_from_json(answer.result);
    } catch (const launcher::LaunchError& e) {
        facts.connect_error = e.what();
        return facts;
    } catch (const ProtocolError& e) {
        facts.connect_error =
            std::string("sevd-libvirt answered ReadFacts with a result sevd cannot read (") +
            e.what() + ")";
        return facts;
    }
    facts.connected = read.connected;
    facts.connect_error = read.connect_error;
    facts.version = read.version;
    facts.running = read.running;
    if (live) {
        facts.domcaps_source = read.domcaps_source;
        facts.domcaps = read.domcaps;
    }
    return facts;
}

} // namespace sevd::libvirt_helper
