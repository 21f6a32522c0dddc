// libvirt, loaded on first use with dlopen. sevd_libvirt_access reaches
// libvirt only through this table, so a command that never consults libvirt
// (`sevd probe --no-libvirt`, `sevd tune` with an empty slice) does not pay
// for loading libvirt.so.0 and its dependency tree, which costs far more than
// the probe itself.
#pragma once

#include <string>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace sevd::libvirt {

struct Api {
    decltype(&::virConnectOpen) connect_open;
    decltype(&::virConnectOpenReadOnly) connect_open_read_only;
    decltype(&::virConnectClose) connect_close;
    decltype(&::virConnectGetDomainCapabilities) connect_get_domain_capabilities;
    decltype(&::virConnectListAllDomains) connect_list_all_domains;
    decltype(&::virConnectGetLibVersion) connect_get_lib_version;
    decltype(&::virDomainGetName) domain_get_name;
    decltype(&::virDomainFree) domain_free;
    decltype(&::virDomainGetID) domain_get_id;
    decltype(&::virDomainGetUUIDString) domain_get_uuid_string;
    decltype(&::virDomainGetXMLDesc) domain_get_xml_desc;
    decltype(&::virGetLastErrorMessage) get_last_error_message;
    decltype(&::virSetErrorFunc) set_error_func;
};

inline constexpr const char* kLibraryName = "libvirt.so.0"; // Debian package libvirt0

// The loaded table, or nullptr with the reason in `error` (library or symbol
// missing). Loads once per process; thread-safe.
const Api* api(std::string& error);

// The table when it is already loaded (handles only exist after a successful
// load), else nullptr.
const Api* loaded_api() noexcept;

} // namespace sevd::libvirt
