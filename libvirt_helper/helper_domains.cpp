#include "libvirt_helper/helper_domains.h"

namespace sevd::libvirt_helper {

using nlohmann::json;

json HelperDomains::call(std::string_view method, json params) {
    auto answer = link_.call(method, std::move(params), kDomainCallTimeout);
    generation_.store(answer.generation);
    return std::move(answer.result);
}

void HelperDomains::ensure_connected() {
    (void)call(method::kEnsureConnected, json::object());
}

std::string HelperDomains::define_and_start(const std::string& domain_xml) {
    const json result = call(method::kDefineAndStart, {{"xml", domain_xml}});
    return read_helper_result(method::kDefineAndStart,
                              [&] { return string_field(result, "uuid"); });
}

bool HelperDomains::destroy_and_undefine(const std::string& name) {
    const json result = call(method::kDestroyAndUndefine, {{"name", name}});
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
    const json result = call(method::kListEncryptedRunning, json::object());
    return read_helper_result(method::kListEncryptedRunning, [&] {
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
