// The launcher's door to libvirt: define + start, destroy + undefine, look up,
// list the running encrypted domains. Implementations: LibvirtClient
// (libvirt_helper/: libvirt in this process, the sevd-libvirt helper and tests),
// libvirt_helper::HelperDomains (the daemon: every call goes to the helper)
// and ReplayDomains (a daemon replaying a snapshot: refuses).
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/attestation.h"
#include "launcher/domain_record.h"
#include "launcher/fd_groups.h"

namespace sevd::launcher {

class LibvirtDomains {
public:
    virtual ~LibvirtDomains() = default;

    virtual const std::string& uri() const = 0;

    // Opens a connection when there is none or the last one died.
    // Throws LaunchError(Libvirt) when libvirt cannot be reached.
    virtual void ensure_connected() = 0;
    // Changes with every connection opened (the caller re-syncs then); 0
    // before the first.
    virtual uint64_t generation() const = 0;

    // Defines the domain, hands libvirt the descriptors its fdgroup sources
    // name, and starts it; a domain that fails to start is undefined again.
    // Returns its UUID. Throws LaunchError(Libvirt), with an unknown outcome
    // when the answer was lost (it may run): never retried blindly.
    virtual std::string define_and_start(const std::string& domain_xml,
                                         const std::vector<FdGroup>& fds) = 0;
    // Destroys (if running) and undefines the domain of that UUID, with its
    // NVRAM. False when no such domain exists. Throws LaunchError(Libvirt)
    // (unknown outcome as above), also when libvirt cannot say whether it runs.
    virtual bool destroy_and_undefine(const std::string& uuid) = 0;
    // True when a domain of that name is defined or running.
    virtual bool domain_exists(const std::string& name) = 0;
    // The named domain, running or only defined; nullopt when there is none.
    virtual std::optional<DomainRecord> find_domain(const std::string& name) = 0;
    // Running domains with <launchSecurity> (the ASID holders).
    virtual std::vector<DomainRecord> list_encrypted_running() = 0;
    // Every domain carrying sevd's mark, running or only defined.
    virtual std::vector<DomainRecord> list_sevd_domains() = 0;
    // Starts a defined domain, handing libvirt the descriptors its fdgroup
    // sources name. Throws LaunchError(Libvirt).
    virtual void start(const std::string& name, const std::vector<FdGroup>& fds) = 0;
    // Asks the guest to power off (ACPI); returns at once, the domain stops
    // later. Throws LaunchError(Libvirt).
    virtual void shutdown(const std::string& name) = 0;

    // Attestation (launcher/attestation.h). Each throws LaunchError(Libvirt).
    // Like define_and_start, but the guest stays paused before its first
    // instruction (its launch can be measured and a secret injected).
    virtual std::string define_and_start_paused(const std::string& domain_xml,
                                                const std::vector<FdGroup>& fds) = 0;
    virtual SevCertificates sev_certificates() = 0;
    virtual LaunchMeasurement launch_measurement(const std::string& name) = 0;
    virtual void inject_launch_secret(const std::string& name, const LaunchSecret& secret) = 0;
    virtual void resume(const std::string& name) = 0;
};

} // namespace sevd::launcher
