// LibvirtDomains of a daemon replaying a snapshot (`sevd serve --root DIR`
// without --libvirt-uri): the recorded host has no libvirt here, so every
// launch or stop is refused with Unsupported, naming the way to launch.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "launcher/libvirt_domains.h"

namespace sevd::launcher {

class ReplayDomains final : public LibvirtDomains {
public:
    explicit ReplayDomains(const std::filesystem::path& root);

    const std::string& uri() const override { return uri_; }
    void ensure_connected() override { refuse(); }
    uint64_t generation() const override { return 0; }
    std::string define_and_start(const std::string&, const std::vector<FdGroup>&) override {
        refuse();
    }
    bool destroy_and_undefine(const std::string&) override { refuse(); }
    bool domain_exists(const std::string&) override { return false; }
    std::optional<DomainRecord> find_domain(const std::string&) override { return std::nullopt; }
    std::vector<DomainRecord> list_encrypted_running() override { return {}; }
    std::vector<DomainRecord> list_sevd_domains() override { return {}; }
    void start(const std::string&, const std::vector<FdGroup>&) override { refuse(); }
    void shutdown(const std::string&) override { refuse(); }
    std::string define_and_start_paused(const std::string&, const std::vector<FdGroup>&) override {
        refuse();
    }
    SevCertificates sev_certificates() override { refuse(); }
    LaunchMeasurement launch_measurement(const std::string&) override { refuse(); }
    void inject_launch_secret(const std::string&, const LaunchSecret&) override { refuse(); }
    void resume(const std::string&) override { refuse(); }

private:
    [[noreturn]] void refuse() const;

    std::string uri_;
    std::string root_;
};

} // namespace sevd::launcher
