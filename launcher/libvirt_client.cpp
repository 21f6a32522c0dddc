#include "launcher/libvirt_client.h"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "launcher/launch_error.h"
#include "launcher/libvirt_operation.h"
#include "launcher/poll_event_impl.h"

namespace sevd::launcher {
namespace {

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

// Keepalive probes every 5 s, 3 unanswered ones close the connection: a hung
// (not dead) libvirtd is noticed in about 20 s instead of at the next call.
constexpr int kKeepAliveIntervalSeconds = 5;
constexpr unsigned kKeepAliveCount = 3;

} // namespace

LibvirtClient::LibvirtClient(std::string uri, LibvirtEvents events)
    : uri_(std::move(uri)), events_(std::move(events)) {
    ignore_sigpipe();
}

// The subscription goes first (its registrations hold the connection);
// nobody else uses the client any more, so no mutex_.
LibvirtClient::~LibvirtClient() {
    if (!conn_)
        return;
    const auto in_libvirt = PollEventImpl::instance().call_scope();
    subscription_.reset();
    conn_.reset();
}

void LibvirtClient::drop_connection_locked() {
    subscription_.reset();
    conn_.reset();
}

// A failure here costs only the immediacy: the guests are still re-read at
// every re-sync point, as without events.
void LibvirtClient::subscribe_locked() {
    if (!events_.wanted())
        return;
    try {
        subscription_ = std::make_unique<EventSubscription>(conn_.get(), events_);
    } catch (const std::runtime_error& e) {
        if (!subscription_failure_logged_)
            spdlog::warn("libvirt at '{}': {}; guests that stop by themselves are noticed only "
                         "when sevd re-reads libvirt (a refusal, a reconnect, Refresh)",
                         uri_, e.what());
        subscription_failure_logged_ = true;
        return;
    }
    if (virConnectSetKeepAlive(conn_.get(), kKeepAliveIntervalSeconds, kKeepAliveCount) < 0)
        spdlog::debug("libvirt at '{}': no keepalive: {}", uri_, libvirt::last_error_message());
    spdlog::info("watching libvirt events at '{}' (connection {})", uri_, generation_.load());
}

bool LibvirtClient::live_locked() const {
    const bool closed = subscription_ && subscription_->connection_closed();
    return conn_ && !closed && virConnectIsAlive(conn_.get()) == 1;
}

virConnectPtr LibvirtClient::connection_locked() {
    if (live_locked())
        return conn_.get();
    drop_connection_locked();
    std::string error;
    auto fresh = libvirt::open_read_write(uri_, error);
    if (!fresh)
        throw LaunchError(ErrorCode::Libvirt,
                          "cannot connect to libvirt at '" + uri_ + "': " + error +
                              "; check that libvirtd runs and the uri in sevd.conf");
    conn_ = std::move(fresh);
    ++generation_;
    subscribe_locked();
    return conn_.get();
}

bool LibvirtClient::holds_connection() {
    std::lock_guard lock(mutex_);
    const auto in_libvirt = PollEventImpl::instance().call_scope();
    return live_locked();
}

void LibvirtClient::ensure_connected() {
    std::lock_guard lock(mutex_);
    const auto in_libvirt = PollEventImpl::instance().call_scope();
    connection_locked();
}

void LibvirtClient::run(const char* what, const Operation& op) {
    std::lock_guard lock(mutex_);
    const auto in_libvirt = PollEventImpl::instance().call_scope();
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
            drop_connection_locked(); // reconnect and try once more
        }
    }
}

std::string LibvirtClient::define_and_start(const std::string& domain_xml) {
    return define_and_start_flags(domain_xml, 0);
}

std::string LibvirtClient::define_and_start_flags(const std::string& domain_xml, unsigned flags) {
    std::string uuid;
    run("define+start", [&](virConnectPtr conn) {
        libvirt::DomainPtr domain(virDomainDefineXML(conn, domain_xml.c_str()));
        if (!domain)
            fail("defining the domain failed");
        if (virDomainCreateWithFlags(domain.get(), flags) != 0) {
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
