// HelperDomains' attestation calls: each one request to the helper.
#include "libvirt_helper/attestation_protocol.h"
#include "libvirt_helper/helper_domains.h"

namespace sevd::libvirt_helper {

using nlohmann::json;

std::string HelperDomains::define_and_start_paused(const std::string& domain_xml,
                                                   const std::vector<launcher::FdGroup>& fds) {
    return define_with_fds(method::kDefineAndStartPaused, domain_xml, fds);
}

launcher::SevCertificates HelperDomains::sev_certificates() {
    const json result = call(method::kSevCertificates, json::object());
    return read_helper_result(method::kSevCertificates,
                              [&] { return certificates_from_json(result); });
}

launcher::LaunchMeasurement HelperDomains::launch_measurement(const std::string& name) {
    const json result = call(method::kLaunchMeasurement, {{"name", name}});
    return read_helper_result(method::kLaunchMeasurement,
                              [&] { return measurement_from_json(result); });
}

void HelperDomains::inject_launch_secret(const std::string& name,
                                         const launcher::LaunchSecret& secret) {
    (void)call(method::kInjectLaunchSecret, secret_to_json(name, secret));
}

void HelperDomains::resume(const std::string& name) {
    (void)call(method::kResume, {{"name", name}});
}

} // namespace sevd::libvirt_helper
