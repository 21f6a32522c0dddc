// LibvirtDomains with libvirt in this process (the sevd-libvirt helper runs
// it for the daemon; tests use it directly). Connects lazily, notices a lost
// connection (libvirtd restarted) and reconnects; generation() changes on
// every new connection so the caller knows to re-sync. With event handlers,
// every connection it opens subscribes to domain lifecycle events and to its
// own closing (EventSubscription; needs a LibvirtEventLoop registered before),
// and a connection libvirt reports closed is replaced on the next call.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "launcher/domain_record.h"
#include "launcher/libvirt_domains.h"
#include "launcher/libvirt_events.h"
#include "libvirt_helper/event_subscription.h"
#include "libvirt_helper/libvirt_handles.h"

namespace sevd::libvirt_helper {

// The launcher's vocabulary (launcher/libvirt_domains.h), which this speaks.
using launcher::DomainRecord;
using launcher::FdGroup;
using launcher::LaunchMeasurement;
using launcher::LaunchSecret;
using launcher::LibvirtDomains;
using launcher::SevCertificates;

class LibvirtClient : public LibvirtDomains {
public:
    // `events`: handlers for what libvirt reports between calls (none: no
    // subscription, the guests are only re-read at re-sync points).
    explicit LibvirtClient(std::string uri, LibvirtEvents events = {});
    ~LibvirtClient() override; // deregisters the callbacks, then closes
    LibvirtClient(const LibvirtClient&) = delete;
    LibvirtClient& operator=(const LibvirtClient&) = delete;

    const std::string& uri() const override { return uri_; }
    void ensure_connected() override;
    // Increments with every connection opened; 0 before the first.
    uint64_t generation() const override { return generation_.load(); }
    std::string define_and_start(const std::string& domain_xml,
                                 const std::vector<FdGroup>& fds) override;
    bool destroy_and_undefine(const std::string& uuid) override;
    bool domain_exists(const std::string& name) override;
    std::optional<DomainRecord> find_domain(const std::string& name) override;
    std::vector<DomainRecord> list_encrypted_running() override;
    std::vector<DomainRecord> list_sevd_domains() override;
    void start(const std::string& name, const std::vector<FdGroup>& fds) override;
    void shutdown(const std::string& name) override;
    // Attestation: libvirt_client_attestation.cpp.
    std::string define_and_start_paused(const std::string& domain_xml,
                                        const std::vector<FdGroup>& fds) override;
    SevCertificates sev_certificates() override;
    LaunchMeasurement launch_measurement(const std::string& name) override;
    void inject_launch_secret(const std::string& name, const LaunchSecret& secret) override;
    void resume(const std::string& name) override;

    // Whether a live connection is open now (no libvirt RPC: the local state).
    bool holds_connection();

private:
    using Operation = std::function<void(virConnectPtr)>;
    enum class Effect { Reads, Changes };
    // Runs `op` on a live connection. When it fails because the connection
    // was lost, a read reconnects and runs once more; a change (define,
    // start, destroy) is not repeated: it fails with an unknown outcome.
    void run(const char* what, const Operation& op, Effect effect = Effect::Reads);
    // The domains virConnectListAllDomains(`flags`) gives that `keep` accepts.
    std::vector<DomainRecord> list_records(unsigned flags, const std::string& what,
                                           bool (*keep)(const DomainRecord&));
    // define_and_start with virDomainCreateWithFlags' `flags`.
    std::string define_and_start_flags(const std::string& domain_xml,
                                       const std::vector<FdGroup>& fds, unsigned flags);
    // An open connection libvirt has not reported closed and that is alive.
    bool live_locked() const;
    virConnectPtr connection_locked();
    void subscribe_locked();
    void drop_connection_locked();

    const std::string uri_;
    const LibvirtEvents events_;
    std::mutex mutex_;
    libvirt::ConnectPtr conn_;
    // Declared after conn_: goes first, as the registrations hold conn_.
    std::unique_ptr<EventSubscription> subscription_;
    bool subscription_failure_logged_ = false;
    std::atomic<uint64_t> generation_{0};
};

} // namespace sevd::libvirt_helper
