// RAII owners for libvirt handles, wrapped once for every libvirt caller (the
// readings, the helper's client, tests), plus the error text helper. Calls go
// through the dlopen'd table of libvirt_library.h (the same library instance
// a process linked against libvirt already has), so sevd_libvirt_access does
// not link libvirt.
#pragma once

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libvirt_helper/libvirt_library.h"

namespace sevd::libvirt {

struct ConnectDeleter {
    void operator()(virConnectPtr conn) const noexcept {
        if (const auto* lib = loaded_api())
            lib->connect_close(conn);
    }
};
struct DomainDeleter {
    void operator()(virDomainPtr domain) const noexcept {
        if (const auto* lib = loaded_api())
            lib->domain_free(domain);
    }
};

using ConnectPtr = std::unique_ptr<virConnect, ConnectDeleter>;
using DomainPtr = std::unique_ptr<virDomain, DomainDeleter>;

// A string libvirt allocated with malloc.
struct FreeDeleter {
    void operator()(char* text) const noexcept { std::free(text); } // NOLINT: libvirt's malloc
};
using MallocString = std::unique_ptr<char, FreeDeleter>;

// The calling thread's last libvirt error ("unknown libvirt error" when none).
std::string last_error_message();

// libvirt prints every error to stderr by default; sevd reports errors itself.
// Idempotent, process-wide (done when the library is loaded); call before the
// first direct libvirt call in code that links libvirt itself.
void silence_default_error_printing();

// virConnectOpenReadOnly / virConnectOpen; nullptr on failure with the reason
// (including "libvirt.so.0 cannot be loaded") in `error`.
ConnectPtr open_read_only(const std::string& uri, std::string& error);
ConnectPtr open_read_write(const std::string& uri, std::string& error);

// For queries: read-write first, because libvirt 9 refuses
// virConnectGetDomainCapabilities on read-only connections ("read only access
// prevents ..."); read-only when read-write is not allowed (non-root on the
// system URI). Both failing: the read-write error.
ConnectPtr open_for_queries(const std::string& uri, std::string& error);

// virConnectListAllDomains with `flags`, each domain owned; nullopt with
// libvirt's error in `error` when the listing fails.
std::optional<std::vector<DomainPtr>> list_domains(virConnectPtr conn, unsigned flags,
                                                   std::string& error);
// virDomainGetXMLDesc (no flags); nullopt when libvirt cannot give it (the
// domain went away meanwhile).
std::optional<std::string> domain_xml(virDomainPtr domain);

} // namespace sevd::libvirt
