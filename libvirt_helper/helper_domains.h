// LibvirtDomains for the daemon: every call goes to the sevd-libvirt helper
// over the link (the launcher's code is the same either way).
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "launcher/libvirt_domains.h"
#include "libvirt_helper/call_limits.h"
#include "libvirt_helper/helper_link.h"

namespace sevd::libvirt_helper {

// Reads a result with `read`: a ProtocolError means the helper is not this
// daemon's, a LaunchError(Libvirt) for the caller.
template <typename Read>
auto read_helper_result(std::string_view method, Read read) {
    try {
        return read();
    } catch (const ProtocolError& e) {
        throw launcher::LaunchError(launcher::ErrorCode::Libvirt,
                                    "sevd-libvirt answered " + std::string(method) +
                                        " with a result sevd cannot read (" + e.what() +
                                        "); is it from another sevd version?");
    }
}

class HelperDomains : public launcher::LibvirtDomains {
public:
    explicit HelperDomains(HelperLink& link) : link_(link), uri_(link.uri()) {}

    const std::string& uri() const override { return uri_; }
    void ensure_connected() override;
    uint64_t generation() const override { return generation_.load(); }
    std::string define_and_start(const std::string& domain_xml,
                                 const std::vector<launcher::FdGroup>& fds) override;
    bool destroy_and_undefine(const std::string& uuid) override;
    bool domain_exists(const std::string& name) override;
    std::optional<launcher::DomainRecord> find_domain(const std::string& name) override;
    std::vector<launcher::DomainRecord> list_encrypted_running() override;
    std::vector<launcher::DomainRecord> list_sevd_domains() override;
    void start(const std::string& name, const std::vector<launcher::FdGroup>& fds) override;
    void shutdown(const std::string& name) override;
    // Attestation: helper_domains_attestation.cpp.
    std::string define_and_start_paused(const std::string& domain_xml,
                                        const std::vector<launcher::FdGroup>& fds) override;
    launcher::SevCertificates sev_certificates() override;
    launcher::LaunchMeasurement launch_measurement(const std::string& name) override;
    void inject_launch_secret(const std::string& name,
                              const launcher::LaunchSecret& secret) override;
    void resume(const std::string& name) override;

private:
    std::vector<launcher::DomainRecord> list(std::string_view method);
    // DefineAndStart or DefineAndStartPaused: the XML, the group names and,
    // beside the request, their descriptors.
    std::string define_with_fds(std::string_view method, const std::string& domain_xml,
                                const std::vector<launcher::FdGroup>& fds);
    // The call's result; notes the connection generation it came with.
    // A result the daemon cannot read is a LaunchError(Libvirt).
    nlohmann::json call(std::string_view method, nlohmann::json params,
                        const std::vector<int>& fds = {});

    HelperLink& link_;
    const std::string uri_;
    std::atomic<uint64_t> generation_{0};
};

} // namespace sevd::libvirt_helper
