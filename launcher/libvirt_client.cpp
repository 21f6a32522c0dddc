#include "launcher/libvirt_client.h"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

// Raised inside an operation; run() turns it into a LaunchError or a retry.
class OperationFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& what) {
    throw OperationFailed(what + ": " + libvirt::last_error_message());
}

bool no_such_domain() {
    const auto* error = virGetLastError();
    return error != nullptr && error->code == VIR_ERR_NO_DOMAIN;
}

// virConnectListAllDomains hands out an array of owned pointers.
std::vector<libvirt::DomainPtr> take_domains(virDomainPtr* raw, int count) {
    std::vector<libvirt::DomainPtr> owned;
    for (int i = 0; i < count; ++i)
        owned.emplace_back(raw[i]);
    std::free(raw); // NOLINT: the array itself is malloc'ed by libvirt
    return owned;
}

std::string uuid_of(virDomainPtr domain) {
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (virDomainGetUUIDString(domain, uuid) != 0)
        fail("reading the new domain's UUID failed");
    return uuid;
}

// Undefine with the NVRAM file UEFI guests get, and any managed save; plain
// undefine for drivers that know no flags.
bool try_undefine(virDomainPtr domain) {
    const unsigned flags = VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
    return virDomainUndefineFlags(domain, flags) == 0 || virDomainUndefine(domain) == 0;
}

DomainRecord parse_record(const std::string& xml) {
    try {
        return parse_domain_record(xml);
    } catch (const std::runtime_error& e) {
        throw OperationFailed(e.what());
    }
}

// nullopt when the domain vanished meanwhile (undefined or stopped while we looked).
std::optional<DomainRecord> read_record(virDomainPtr domain) {
    char* xml = virDomainGetXMLDesc(domain, 0);
    if (xml == nullptr) {
        if (no_such_domain())
            return std::nullopt;
        fail("reading a domain's XML failed");
    }
    const std::string text(xml);
    std::free(xml); // NOLINT: libvirt allocates with malloc
    return parse_record(text);
}

// libvirt's RPC client writes to its socket without MSG_NOSIGNAL: once
// libvirtd goes away, the next call would kill the whole process with
// SIGPIPE instead of failing (seen when libvirtd restarts). Process-wide, once.
void ignore_sigpipe() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = SIG_IGN;
        sigemptyset(&action.sa_mask);
        sigaction(SIGPIPE, &action, nullptr);
    });
}

} // namespace

LibvirtClient::LibvirtClient(std::string uri) : uri_(std::move(uri)) {
    ignore_sigpipe();
}

virConnectPtr LibvirtClient::connection_locked() {
    if (conn_ && virConnectIsAlive(conn_.get()) == 1)
        return conn_.get();
    conn_.reset();
    std::string error;
    auto fresh = libvirt::open_read_write(uri_, error);
    if (!fresh)
        throw LaunchError(ErrorCode::Libvirt,
                          "cannot connect to libvirt at '" + uri_ + "': " + error +
                              "; check that libvirtd runs and the uri in sevd.conf");
    conn_ = std::move(fresh);
    ++generation_;
    return conn_.get();
}

void LibvirtClient::ensure_connected() {
    std::lock_guard lock(mutex_);
    connection_locked();
}

void LibvirtClient::run(const char* what, const Operation& op) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0;; ++attempt) {
        auto* conn = connection_locked();
        try {
            op(conn);
            return;
        } catch (const OperationFailed& e) {
            const bool lost = virConnectIsAlive(conn) != 1;
            if (!lost || attempt > 0)
                throw LaunchError(ErrorCode::Libvirt, std::string("libvirt ") + what +
                                                          " failed at '" + uri_ + "': " + e.what());
            conn_.reset(); // reconnect and try once more
        }
    }
}

std::string LibvirtClient::define_and_start(const std::string& domain_xml) {
    std::string uuid;
    run("define+start", [&](virConnectPtr conn) {
        libvirt::DomainPtr domain(virDomainDefineXML(conn, domain_xml.c_str()));
        if (!domain)
            fail("defining the domain failed");
        if (virDomainCreate(domain.get()) != 0) {
            const auto why = libvirt::last_error_message();
            const bool removed = try_undefine(domain.get());
            throw OperationFailed("starting the domain failed: " + why +
                                  (removed ? " (definition removed again)" : ""));
        }
        uuid = uuid_of(domain.get());
    });
    return uuid;
}

bool LibvirtClient::destroy_and_undefine(const std::string& name) {
    bool found = false;
    run("destroy+undefine", [&](virConnectPtr conn) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn, name.c_str()));
        if (!domain) {
            if (no_such_domain())
                return;
            fail("looking up domain '" + name + "' failed");
        }
        found = true;
        if (virDomainIsActive(domain.get()) == 1 && virDomainDestroy(domain.get()) != 0)
            fail("destroying domain '" + name + "' failed");
        if (virDomainIsPersistent(domain.get()) == 1 && !try_undefine(domain.get()))
            fail("undefining domain '" + name + "' failed");
    });
    return found;
}

bool LibvirtClient::domain_exists(const std::string& name) {
    bool exists = false;
    run("lookup", [&](virConnectPtr conn) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn, name.c_str()));
        if (!domain && !no_such_domain())
            fail("looking up domain '" + name + "' failed");
        exists = static_cast<bool>(domain);
    });
    return exists;
}

std::optional<DomainRecord> LibvirtClient::find_domain(const std::string& name) {
    std::optional<DomainRecord> found;
    run("lookup", [&](virConnectPtr conn) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn, name.c_str()));
        if (!domain) {
            if (no_such_domain())
                return;
            fail("looking up domain '" + name + "' failed");
        }
        found = read_record(domain.get());
    });
    return found;
}

std::vector<DomainRecord> LibvirtClient::list_encrypted_running() {
    std::vector<DomainRecord> records;
    run("list", [&](virConnectPtr conn) {
        records.clear();
        virDomainPtr* raw = nullptr;
        const int count = virConnectListAllDomains(conn, &raw, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
        if (count < 0)
            fail("listing running domains failed");
        for (const auto& domain : take_domains(raw, count)) {
            auto record = read_record(domain.get());
            if (record && record->pool)
                records.push_back(std::move(*record));
        }
    });
    return records;
}

} // namespace sevd::launcher
