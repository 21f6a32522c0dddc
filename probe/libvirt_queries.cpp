#include "probe/libvirt_queries.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "probe/domain_mark.h"
#include "probe/domcaps_decoder.h"

namespace sevd::probe {
namespace {

// libvirt returns strings the caller must free().
struct FreeDeleter {
    void operator()(char* p) const noexcept { std::free(p); }
};
using LibvirtString = std::unique_ptr<char, FreeDeleter>;

} // namespace

std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn, std::string& error) {
    const auto* lib = libvirt::loaded_api(); // a connection exists, so it is loaded
    LibvirtString xml(lib->connect_get_domain_capabilities(conn, nullptr, nullptr,
                                                           kProbeMachineType, nullptr, 0));
    if (!xml) {
        error = libvirt::last_error_message();
        return std::nullopt;
    }
    return std::string(xml.get());
}

Source<RunningEncryptedGuests> count_running_encrypted_guests(virConnectPtr conn) {
    Source<RunningEncryptedGuests> source;
    const auto* lib = libvirt::loaded_api(); // a connection exists, so it is loaded
    virDomainPtr* raw = nullptr;
    const int n = lib->connect_list_all_domains(conn, &raw, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0) {
        source.error = "listing running domains: " + libvirt::last_error_message();
        return source;
    }
    std::vector<libvirt::DomainPtr> domains;
    for (int i = 0; i < n; ++i)
        domains.emplace_back(raw[i]);
    std::free(raw);

    RunningEncryptedGuests running;
    for (const auto& domain : domains) {
        LibvirtString xml(lib->domain_get_xml_desc(domain.get(), 0));
        if (!xml)
            continue; // the domain stopped meanwhile
        const auto kind = decode_launch_security(xml.get());
        if (kind == LaunchSecurityKind::Sev)
            ++running.sev;
        else if (kind == LaunchSecurityKind::SevEs)
            ++running.sev_es;
        if (auto foreign = foreign_domain(xml.get()))
            running.foreign.push_back(std::move(*foreign));
    }
    source.value = running;
    return source;
}

} // namespace sevd::probe
