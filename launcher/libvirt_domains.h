// The launcher's door to libvirt: define + start, destroy + undefine, look up,
// list the running encrypted domains. Two implementations: LibvirtClient
// (libvirt in this process: the sevd-libvirt helper, tests) and
// libvirt_helper::HelperDomains (the daemon: every call goes to the helper).
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/attestation.h"
#include "launcher/domain_record.h"

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

    // Defines the domain and starts it; a domain that fails to start is
    // undefined again. Returns its UUID. Throws LaunchError(Libvirt).
    virtual std::string define_and_start(const std::string& domain_xml) = 0;
    // Destroys (if running) and undefines the named domain, with its NVRAM.
    // False when no such domain exists. Throws LaunchError(Libvirt).
    virtual bool destroy_and_undefine(const std::string& name) = 0;
    // True when a domain of that name is defined or running.
    virtual bool domain_exists(const std::string& name) = 0;
    // The named domain, running or only defined; nullopt when there is none.
    virtual std::optional<DomainRecord> find_domain(const std::string& name) = 0;
    // Running domains with <launchSecurity> (the ASID holders).
    virtual std::vector<DomainRecord> list_encrypted_running() = 0;

    // Attestation (launcher/attestation.h). Each throws LaunchError(Libvirt).
    // Like define_and_start, but the guest stays paused before its first
    // instruction (its launch can be measured and a secret injected).
    virtual std::string define_and_start_paused(const std::string& domain_xml) = 0;
    virtual SevCertificates sev_certificates() = 0;
    virtual LaunchMeasurement launch_measurement(const std::string& name) = 0;
    virtual void inject_launch_secret(const std::string& name, const LaunchSecret& secret) = 0;
    virtual void resume(const std::string& name) = 0;
};

} // namespace sevd::launcher
