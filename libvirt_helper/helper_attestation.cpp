#include "libvirt_helper/helper_attestation.h"

#include "libvirt_helper/attestation_protocol.h"

namespace sevd::libvirt_helper {

using nlohmann::json;

std::optional<json> attestation_call(LibvirtClient& client, const Request& request) {
    const auto& name = request.method;
    const json& params = request.params;
    if (name == method::kSevCertificates)
        return certificates_to_json(client.sev_certificates());
    if (name == method::kLaunchMeasurement)
        return measurement_to_json(client.launch_measurement(string_field(params, "name")));
    if (name == method::kInjectLaunchSecret) {
        client.inject_launch_secret(string_field(params, "name"), secret_from_json(params));
        return json::object();
    }
    if (name == method::kResume) {
        client.resume(string_field(params, "name"));
        return json::object();
    }
    return std::nullopt;
}

} // namespace sevd::libvirt_helper
