#include "libvirt_helper/attestation_protocol.h"

#include <limits>

#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {
using nlohmann::json;

namespace {

uint64_t u64_field(const json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number_unsigned())
        throw ProtocolError("field '" + std::string(key) + "' is not an unsigned number");
    return it->get<uint64_t>();
}

uint32_t u32_field(const json& object, std::string_view key) {
    const auto value = u64_field(object, key);
    if (value > std::numeric_limits<uint32_t>::max())
        throw ProtocolError("field '" + std::string(key) + "' is above 2^32-1");
    return static_cast<uint32_t>(value);
}

} // namespace

json certificates_to_json(const launcher::SevCertificates& certificates) {
    return {{"pdh", certificates.pdh}, {"cert_chain", certificates.cert_chain}};
}

launcher::SevCertificates certificates_from_json(const json& object) {
    return {string_field(object, "pdh"), string_field(object, "cert_chain")};
}

json measurement_to_json(const launcher::LaunchMeasurement& m) {
    return {{"measurement", m.measurement},
            {"api_major", m.api_major},
            {"api_minor", m.api_minor},
            {"build_id", m.build_id},
            {"policy", m.policy}};
}

launcher::LaunchMeasurement measurement_from_json(const json& object) {
    return {string_field(object, "measurement"), u32_field(object, "api_major"),
            u32_field(object, "api_minor"), u32_field(object, "build_id"),
            u32_field(object, "policy")};
}

json secret_to_json(const std::string& name, const launcher::LaunchSecret& secret) {
    return {
        {"name", name}, {"header", secret.header}, {"secret", secret.secret}, {"gpa", secret.gpa}};
}

launcher::LaunchSecret secret_from_json(const json& object) {
    return {string_field(object, "header"), string_field(object, "secret"),
            u64_field(object, "gpa")};
}

} // namespace sevd::libvirt_helper
