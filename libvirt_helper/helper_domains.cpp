#include "libvirt_helper/helper_domains.h"

namespace sevd::libvirt_helper {

using nlohmann::json;

namespace {

// The group names (for the request) and their descriptors (sent beside it).
std::pair<json, std::vector<int>> split(const std::vector<launcher::FdGroup>& fds) {
    json names = json::array();
    std::vector<int> descriptors;
    for (const auto& group : fds) {
        names.push_back(group.name);
        descriptors.push_back(group.fd);
    }
    return {std::move(names), std::move(descriptors)};
}

} // namespace

json HelperDomains::call(std::string_view method, json params, const std::vector<int>& fds) {
    auto answer = link_.call(method, std::move(params), kDomainCallTimeout, fds);
    generation_.store(answer.generation);
    return std::move(answer.result);
}

void HelperDomains::ensure_connected() {
    (void)call(method::kEnsureConnected, json::object());
}

std::string HelperDomains::define_and_start(const std::string& domain_xml,
                                            const std::vector<launcher::FdGroup>& fds) {
    return define_with_fds(method::kDefineAndStart, domain_xml, fds);
}

std::string HelperDomains::define_with_fds(std::string_view method, const std::string& domain_xml,
                                           const std::vector<launcher::FdGroup>& fds) {
    auto [names, descriptors] = split(fds);
    const json result =
        call(method, {{"xml", domain_xml}, {"fd_groups", std::move(names)}}, descriptors);
    return read_helper_result(method, [&] { return string_field(result, "uuid"); });
}

bool HelperDomains::destroy_and_undefine(const std::string& uuid) {
    const json result = call(method::kDestroyAndUndefine, {{"uuid", uuid}});
    return read_helper_result(method::kDestroyAndUndefine,
                              [&] { return bool_field(result, "found"); });
}

bool HelperDomains::domain_exists(const std::string& name) {
    const json result = call(method::kDomainExists, {{"name", name}});
    return read_helper_result(method::kDomainExists, [&] { return bool_field(result, "exists"); });
}

std::optional<launcher::DomainRecord> HelperDomains::find_domain(const std::string& name) {
    const json result = call(method::kFindDomain, {{"name", name}});
    return read_helper_result(method::kFindDomain, [&]() -> std::optional<launcher::DomainRecord> {
        const auto it = result.find("domain");
        if (it == result.end() || it->is_null())
            return std::nullopt;
        return record_from_json(*it);
    });
}

std::vector<launcher::DomainRecord> HelperDomains::list_encrypted_running() {
    return list(method::kListEncryptedRunning);
}

std::vector<launcher::DomainRecord> HelperDomains::list_sevd_domains() {
    return list(method::kListSevdDomains);
}

void HelperDomains::start(const std::string& name, const std::vector<launcher::FdGroup>& fds) {
    auto [names, descriptors] = split(fds);
    (void)call(method::kStart, {{"name", name}, {"fd_groups", std::move(names)}}, descriptors);
}

void HelperDomains::shutdown(const std::string& name) {
    (void)call(method::kShutdown, {{"name", name}});
}

std::vector<launcher::DomainRecord> HelperDomains::list(std::string_view method) {
    const json result = call(method, json::object());
    return read_helper_result(method, [&] {
        std::vector<launcher::DomainRecord> records;
        const auto it = result.find("domains");
        if (it == result.end() || !it->is_array())
            throw ProtocolError("field 'domains' is not an array");
        for (const auto& domain : *it)
            records.push_back(record_from_json(domain));
        return records;
    });
}

} // namespace sevd::libvirt_helper
