// The attestation payloads of the helper protocol (protocol.h): measurement,
// certificates and the launch secret as JSON. from_* throw ProtocolError. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "launcher/attestation.h"

namespace sevd::libvirt_helper {

nlohmann::json certificates_to_json(const launcher::SevCertificates& certificates);
launcher::SevCertificates certificates_from_json(const nlohmann::json& object);
nlohmann::json measurement_to_json(const launcher::LaunchMeasurement& measurement);
launcher::LaunchMeasurement measurement_from_json(const nlohmann::json& object);
// {name, header, secret, gpa}
nlohmann::json secret_to_json(const std::string& name, const launcher::LaunchSecret& secret);
launcher::LaunchSecret secret_from_json(const nlohmann::json& object);

} // namespace sevd::libvirt_helper
