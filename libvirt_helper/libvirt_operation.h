// Inside LibvirtClient's operations (libvirt_client*.cpp): a failed libvirt
// call, raised with libvirt's own message; LibvirtClient::run turns it into
// a LaunchError(Libvirt), or reconnects and retries once when the
// connection was lost.
#pragma once

#include <stdexcept>
#include <string>

#include "libvirt_helper/libvirt_handles.h"

namespace sevd::libvirt_helper {

class OperationFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& what) {
    throw OperationFailed(what + ": " + libvirt::last_error_message());
}

// The domain of that name; fails when libvirt has none (or cannot say).
inline libvirt::DomainPtr lookup(virConnectPtr conn, const std::string& name) {
    libvirt::DomainPtr domain(virDomainLookupByName(conn, name.c_str()));
    if (!domain)
        fail("looking up domain '" + name + "' failed");
    return domain;
}

} // namespace sevd::libvirt_helper
