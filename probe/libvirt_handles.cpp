#include "probe/libvirt_handles.h"

#include <mutex>

namespace sevd::libvirt {
namespace {

void ignore_error(void* /*user_data*/, virErrorPtr /*error*/) {}

} // namespace

void silence_default_error_printing() {
    static std::once_flag once;
    std::call_once(once, [] { virSetErrorFunc(nullptr, ignore_error); });
}

ConnectPtr open_read_only(const std::string& uri, std::string& error) {
    silence_default_error_printing();
    ConnectPtr conn(virConnectOpenReadOnly(uri.c_str()));
    if (!conn)
        error = last_error_message();
    return conn;
}

ConnectPtr open_read_write(const std::string& uri, std::string& error) {
    silence_default_error_printing();
    ConnectPtr conn(virConnectOpen(uri.c_str()));
    if (!conn)
        error = last_error_message();
    return conn;
}

} // namespace sevd::libvirt
