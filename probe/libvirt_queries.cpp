#include "probe/libvirt_queries.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "probe/domcaps_decoder.h"

namespace sevd::probe {
namespace {

// libvirt returns strings the caller must free().
struct FreeDeleter {
    void operator()(char* p) const noexcept { std::free(p); }
};
using LibvirtString = std::unique_ptr<char, FreeDeleter>;

} // namespace

std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn,
                                                         const std::string& machine_type,
                                                         std::string& error) {
    const auto* lib = libvirt::loaded_api(); // a connection exists, so it is loaded
    LibvirtString xml(lib->connect_get_domain_capabilities(conn, nullptr, nullptr,
                                                           machine_type.c_str(), nullptr, 0));
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
        std::optional<EncryptionModel> model; // the guest's ASID pool
        if (kind == LaunchSecurityKind::Sev) {
            ++running.sev;
            model = EncryptionModel::Sev;
        } else if (kind == LaunchSecurityKind::SevEs || kind == LaunchSecurityKind::SevSnp) {
            ++running.sev_es; // one pool: SNP guests hold SEV-ES ASIDs
            model = EncryptionModel::SevEs;
        }
        const char* name = lib->domain_get_name(domain.get());
        if (model && name != nullptr)
            running.guests.push_back({name, *model});
    }
    source.value = running;
    return source;
}

std::optional<uint64_t> fetch_libvirt_version(virConnectPtr conn) {
    unsigned long version = 0;
    if (libvirt::loaded_api()->connect_get_lib_version(conn, &version) != 0)
        return std::nullopt;
    return version;
}

} // namespace sevd::probe
