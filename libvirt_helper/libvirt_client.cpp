#include "libvirt_helper/libvirt_client.h"

#include <csignal>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include <spdlog/spdlog.h>

#include "launcher/launch_error.h"
#include "libvirt_helper/libvirt_operation.h"
#include "libvirt_helper/poll_event_impl.h"

namespace sevd::libvirt_helper {

using launcher::ErrorCode;
using launcher::LaunchError;
using launcher::Outcome;
using launcher::parse_domain_record;
using launcher::without_fd_groups;
namespace {

bool no_such_domain() {
    const auto* error = virGetLastError();
    return error != nullptr && error->code == VIR_ERR_NO_DOMAIN;
}

std::string uuid_of(virDomainPtr domain) {
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (virDomainGetUUIDString(domain, uuid) != 0)
        fail("reading the new domain's UUID failed");
    return uuid;
}

// libvirt's test driver opens no image and refuses fdgroup sources; every
// other driver is given the descriptors (one that cannot take them refuses
// the definition, naming why).
bool passes_fds(virConnectPtr conn) {
    const char* type = virConnectGetType(conn);
    return type == nullptr || std::string_view(type) != "TEST";
}

// Each group for the coming start; libvirt restores the files' security
// labels after use, as it does for the files it opens itself.
void associate(virDomainPtr domain, const std::vector<FdGroup>& fds) {
    for (const auto& group : fds) {
        int fd = group.fd;
        if (virDomainFDAssociate(domain, group.name.c_str(), 1, &fd,
                                 VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE) != 0)
            fail("handing libvirt the image descriptor of fdgroup '" + group.name + "' failed");
    }
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
    const auto xml = libvirt::domain_xml(domain);
    if (!xml) {
        if (no_such_domain())
            return std::nullopt;
        fail("reading a domain's XML failed");
    }
    auto record = parse_record(*xml);
    record.active = virDomainIsActive(domain) == 1;
    int state = VIR_DOMAIN_NOSTATE;
    if (record.attestation_pending && record.active &&
        virDomainGetState(domain, &state, nullptr, 0) == 0)
        record.paused = state == VIR_DOMAIN_PAUSED;
    return record;
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

void LibvirtClient::run(const char* what, const Operation& op, Effect effect) {
    std::lock_guard lock(mutex_);
    const auto in_libvirt = PollEventImpl::instance().call_scope();
    for (int attempt = 0;; ++attempt) {
        auto* conn = connection_locked();
        try {
            op(conn);
            return;
        } catch (const OperationFailed& e) {
            const bool lost = virConnectIsAlive(conn) != 1;
            const std::string message =
                std::string("libvirt ") + what + " failed at '" + uri_ + "': " + e.what();
            if (lost && effect == Effect::Changes) // libvirtd may have done it: never again blindly
                throw LaunchError(ErrorCode::Libvirt,
                                  message + " (the connection was lost during the call)",
                                  Outcome::Unknown);
            if (!lost || attempt > 0)
                throw LaunchError(ErrorCode::Libvirt, message);
            drop_connection_locked(); // a read: reconnect and try once more
        }
    }
}

std::string LibvirtClient::define_and_start(const std::string& domain_xml,
                                            const std::vector<FdGroup>& fds) {
    return define_and_start_flags(domain_xml, fds, 0);
}

std::string LibvirtClient::define_and_start_flags(const std::string& domain_xml,
                                                  const std::vector<FdGroup>& fds, unsigned flags) {
    std::string uuid;
    run(
        "define+start",
        [&](virConnectPtr conn) {
            const bool by_fd = passes_fds(conn);
            const auto xml = by_fd ? domain_xml : without_fd_groups(domain_xml);
            libvirt::DomainPtr domain(virDomainDefineXML(conn, xml.c_str()));
            if (!domain)
                fail("defining the domain failed");
            try {
                if (by_fd)
                    associate(domain.get(), fds);
                if (virDomainCreateWithFlags(domain.get(), flags) != 0)
                    throw OperationFailed("starting the domain failed: " +
                                          libvirt::last_error_message());
            } catch (const OperationFailed& e) {
                const bool removed = try_undefine(domain.get());
                throw OperationFailed(e.what() +
                                      std::string(removed ? " (definition removed again)" : ""));
            }
            uuid = uuid_of(domain.get());
        },
        Effect::Changes);
    return uuid;
}

bool LibvirtClient::destroy_and_undefine(const std::string& uuid) {
    bool found = false;
    run(
        "destroy+undefine",
        [&](virConnectPtr conn) {
            libvirt::DomainPtr domain(virDomainLookupByUUIDString(conn, uuid.c_str()));
            if (!domain) {
                if (no_such_domain())
                    return;
                fail("looking up domain " + uuid + " failed");
            }
            found = true;
            const int active = virDomainIsActive(domain.get());
            if (active < 0) // not "inactive": undefining it could leave it running, uncounted
                fail("asking whether domain " + uuid + " runs failed");
            if (active == 1 && virDomainDestroy(domain.get()) != 0)
                fail("destroying domain " + uuid + " failed");
            const int persistent = virDomainIsPersistent(domain.get());
            if (persistent < 0)
                fail("asking whether domain " + uuid + " is defined failed");
            if (persistent == 1 && !try_undefine(domain.get()))
                fail("undefining domain " + uuid + " failed");
        },
        Effect::Changes);
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
    return list_records(VIR_CONNECT_LIST_DOMAINS_ACTIVE, "listing running domains",
                        [](const DomainRecord& record) { return record.pool.has_value(); });
}

std::vector<DomainRecord> LibvirtClient::list_sevd_domains() {
    return list_records(0, "listing domains",
                        [](const DomainRecord& record) { return record.launched_by_sevd; });
}

std::vector<DomainRecord> LibvirtClient::list_records(unsigned flags, const std::string& what,
                                                      bool (*keep)(const DomainRecord&)) {
    std::vector<DomainRecord> records;
    run("list", [&](virConnectPtr conn) {
        records.clear();
        std::string error;
        const auto domains = libvirt::list_domains(conn, flags, error);
        if (!domains)
            throw OperationFailed(what + " failed: " + error);
        for (const auto& domain : *domains) {
            auto record = read_record(domain.get());
            if (record && keep(*record))
                records.push_back(std::move(*record));
        }
    });
    return records;
}

void LibvirtClient::start(const std::string& name, const std::vector<FdGroup>& fds) {
    run(
        "start",
        [&](virConnectPtr conn) {
            const auto domain = lookup(conn, name);
            if (passes_fds(conn))
                associate(domain.get(), fds);
            if (virDomainCreate(domain.get()) != 0)
                fail("starting domain '" + name + "' failed");
        },
        Effect::Changes);
}

void LibvirtClient::shutdown(const std::string& name) {
    run(
        "shutdown",
        [&](virConnectPtr conn) {
            if (virDomainShutdown(lookup(conn, name).get()) != 0)
                fail("asking domain '" + name + "' to shut down failed");
        },
        Effect::Changes);
}

} // namespace sevd::libvirt_helper
