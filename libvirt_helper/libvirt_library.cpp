#include "libvirt_helper/libvirt_library.h"

#include <atomic>
#include <dlfcn.h>
#include <mutex>

namespace sevd::libvirt {
namespace {

std::once_flag g_once;
std::atomic<const Api*> g_api{nullptr};
std::string g_error;

// libvirt prints every error to stderr by default; sevd reports errors itself.
void ignore_error(void* /*user_data*/, virErrorPtr /*error*/) {}

template <typename Fn>
bool bind(void* library, const char* name, Fn& out, std::string& error) {
    out = reinterpret_cast<Fn>(::dlsym(library, name));
    if (!out)
        error = std::string(kLibraryName) + " has no symbol " + name;
    return out != nullptr;
}

void load() {
    void* library = ::dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char* why = ::dlerror();
        g_error = std::string("cannot load ") + kLibraryName +
                  " (install the libvirt0 package): " + (why ? why : "unknown error");
        return;
    }
    static Api table{};
    const bool ok =
        bind(library, "virConnectOpen", table.connect_open, g_error) &&
        bind(library, "virConnectOpenReadOnly", table.connect_open_read_only, g_error) &&
        bind(library, "virConnectClose", table.connect_close, g_error) &&
        bind(library, "virConnectGetDomainCapabilities", table.connect_get_domain_capabilities,
             g_error) &&
        bind(library, "virConnectListAllDomains", table.connect_list_all_domains, g_error) &&
        bind(library, "virConnectGetLibVersion", table.connect_get_lib_version, g_error) &&
        bind(library, "virDomainGetName", table.domain_get_name, g_error) &&
        bind(library, "virDomainFree", table.domain_free, g_error) &&
        bind(library, "virDomainGetID", table.domain_get_id, g_error) &&
        bind(library, "virDomainGetUUIDString", table.domain_get_uuid_string, g_error) &&
        bind(library, "virDomainGetXMLDesc", table.domain_get_xml_desc, g_error) &&
        bind(library, "virGetLastErrorMessage", table.get_last_error_message, g_error) &&
        bind(library, "virSetErrorFunc", table.set_error_func, g_error);
    if (!ok)
        return; // the library stays loaded; harmless, and it is needed by nothing else
    table.set_error_func(nullptr, ignore_error);
    g_api.store(&table, std::memory_order_release);
}

} // namespace

const Api* api(std::string& error) {
    std::call_once(g_once, load);
    const Api* table = g_api.load(std::memory_order_acquire);
    if (!table)
        error = g_error;
    return table;
}

const Api* loaded_api() noexcept {
    return g_api.load(std::memory_order_acquire);
}

} // namespace sevd::libvirt
