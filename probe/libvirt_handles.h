// RAII owners for libvirt handles, wrapped once for the whole project
// (probe/ and launcher/), plus the error text helper.
#pragma once

#include <memory>
#include <string>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace sevd::libvirt {

struct ConnectDeleter {
    void operator()(virConnectPtr conn) const noexcept { virConnectClose(conn); }
};
struct DomainDeleter {
    void operator()(virDomainPtr domain) const noexcept { virDomainFree(domain); }
};

using ConnectPtr = std::unique_ptr<virConnect, ConnectDeleter>;
using DomainPtr = std::unique_ptr<virDomain, DomainDeleter>;

// The calling thread's last libvirt error ("unknown libvirt error" when none).
inline std::string last_error_message() {
    const char* message = virGetLastErrorMessage();
    return message ? std::string(message) : std::string("unknown libvirt error");
}

// libvirt prints every error to stderr by default; sevd reports errors itself.
// Idempotent, process-wide; call before the first libvirt call.
void silence_default_error_printing();

// virConnectOpenReadOnly / virConnectOpen after silencing; nullptr on failure
// with the reason in `error`.
ConnectPtr open_read_only(const std::string& uri, std::string& error);
ConnectPtr open_read_write(const std::string& uri, std::string& error);

} // namespace sevd::libvirt
