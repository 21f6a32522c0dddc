#include "libvirt_helper/libvirt_handles.h"

namespace sevd::libvirt {

std::string last_error_message() {
    std::string ignored;
    const auto* lib = api(ignored); // loads it for callers that linked libvirt directly
    const char* message = lib ? lib->get_last_error_message() : nullptr;
    return message ? std::string(message) : std::string("unknown libvirt error");
}

void silence_default_error_printing() {
    std::string ignored;
    api(ignored); // loading installs the no-op error handler
}

namespace {

// Opens `uri` with one of the table's open calls (both take only the URI).
ConnectPtr open_with(decltype(Api::connect_open) Api::*open, const std::string& uri,
                     std::string& error) {
    const auto* lib = api(error);
    if (!lib)
        return nullptr;
    ConnectPtr conn((lib->*open)(uri.c_str()));
    if (!conn)
        error = last_error_message();
    return conn;
}

} // namespace

ConnectPtr open_read_only(const std::string& uri, std::string& error) {
    return open_with(&Api::connect_open_read_only, uri, error);
}

ConnectPtr open_read_write(const std::string& uri, std::string& error) {
    return open_with(&Api::connect_open, uri, error);
}

ConnectPtr open_for_queries(const std::string& uri, std::string& error) {
    auto conn = open_read_write(uri, error);
    if (conn)
        return conn;
    std::string read_only_error;
    return open_read_only(uri, read_only_error);
}

// Both run on an open connection, so the table is loaded.
std::optional<std::vector<DomainPtr>> list_domains(virConnectPtr conn, unsigned flags,
                                                   std::string& error) {
    virDomainPtr* raw = nullptr;
    const int count = loaded_api()->connect_list_all_domains(conn, &raw, flags);
    if (count < 0) {
        error = last_error_message();
        return std::nullopt;
    }
    std::vector<DomainPtr> domains;
    for (int i = 0; i < count; ++i)
        domains.emplace_back(raw[i]);
    std::free(raw); // NOLINT: the array itself is malloc'ed by libvirt
    return domains;
}

std::optional<std::string> domain_xml(virDomainPtr domain) {
    const MallocString xml(loaded_api()->domain_get_xml_desc(domain, 0));
    if (!xml)
        return std::nullopt;
    return std::string(xml.get());
}

} // namespace sevd::libvirt
