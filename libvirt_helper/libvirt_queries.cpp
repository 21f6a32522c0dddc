#include "libvirt_helper/libvirt_queries.h"

#include "probe/domain_mark.h"
#include "probe/domcaps_decoder.h"

namespace sevd::libvirt {
namespace {

struct RunningDomain {
    probe::LaunchSecurityKind kind = probe::LaunchSecurityKind::None;
    std::optional<probe::ForeignDomain> foreign; // encrypted and not sevd's
};

// The domain's launch security and whether it is foreign: remembered by
// `cache` (when given) or read from its XML. None when the domain stopped
// meanwhile.
RunningDomain running_domain(const Api& lib, virDomainPtr domain,
                             probe::LaunchSecurityCache* cache) {
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    const int id = lib.domain_get_id(domain);
    const bool named = cache && lib.domain_get_uuid_string(domain, uuid) == 0;
    if (named) {
        if (const auto known = cache->find(uuid, id)) {
            RunningDomain found{*known, cache->foreign(uuid, id)};
            cache->keep(uuid, id, found.kind, found.foreign);
            return found;
        }
    }
    const auto xml = domain_xml(domain);
    if (!xml)
        return {}; // the domain stopped meanwhile
    const auto facts = probe::parse_domain_facts(*xml);
    RunningDomain read;
    if (facts)
        read = {probe::launch_security_kind(*facts), probe::foreign_domain(*facts)};
    if (named)
        cache->keep(uuid, id, read.kind, read.foreign);
    return read;
}

} // namespace

std::optional<std::string> fetch_domain_capabilities_xml(virConnectPtr conn,
                                                         const std::string& machine_type,
                                                         std::string& error) {
    const auto* lib = loaded_api(); // a connection exists, so it is loaded
    MallocString xml(lib->connect_get_domain_capabilities(conn, nullptr, nullptr,
                                                          machine_type.c_str(), nullptr, 0));
    if (!xml) {
        error = last_error_message();
        return std::nullopt;
    }
    return std::string(xml.get());
}

probe::Source<probe::RunningEncryptedGuests>
count_running_encrypted_guests(virConnectPtr conn, probe::LaunchSecurityCache* cache) {
    probe::Source<probe::RunningEncryptedGuests> source;
    const auto* lib = loaded_api(); // a connection exists, so it is loaded
    std::string error;
    const auto domains = list_domains(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE, error);
    if (!domains) {
        source.error = "listing running domains: " + error;
        return source;
    }

    probe::RunningEncryptedGuests running;
    for (const auto& domain : *domains) {
        const auto found = running_domain(*lib, domain.get(), cache);
        std::optional<EncryptionModel> pool; // probe::asid_pool, via probe::launch_security_kind
        if (found.kind == probe::LaunchSecurityKind::Sev)
            pool = EncryptionModel::Sev;
        else if (found.kind == probe::LaunchSecurityKind::SevEs)
            pool = EncryptionModel::SevEs;
        if (!pool)
            continue;
        ++(*pool == EncryptionModel::Sev ? running.sev : running.sev_es);
        if (found.foreign)
            running.guests.push_back({found.foreign->name, *pool, false});
        else if (const char* name = lib->domain_get_name(domain.get()))
            running.guests.push_back({name, *pool, true});
    }
    if (cache)
        cache->finish();
    source.value = running;
    return source;
}

std::optional<uint64_t> fetch_libvirt_version(virConnectPtr conn) {
    unsigned long version = 0;
    if (loaded_api()->connect_get_lib_version(conn, &version) != 0)
        return std::nullopt;
    return version;
}

} // namespace sevd::libvirt
