// The attestation payloads of the helper protocol survive the round trip,
// and a payload that is not sevd's is a ProtocolError, never a crash.
#include <gtest/gtest.h>

#include "libvirt_helper/attestation_protocol.h"
#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {
namespace {

using nlohmann::json;

TEST(AttestationProtocol, PayloadsRoundTrip) {
    const launcher::SevCertificates certs{"UERI", "Q0hBSU4="};
    EXPECT_EQ(certificates_from_json(certificates_to_json(certs)), certs);
    const launcher::LaunchMeasurement m{"TUVBUw==", 1, 51, 3, 0x37};
    EXPECT_EQ(measurement_from_json(measurement_to_json(m)), m);
    const launcher::LaunchSecret secret{"SERS", "U0VDUkVU", 0xffffffffffffffffull};
    const auto json_secret = secret_to_json("vm", secret);
    EXPECT_EQ(json_secret["name"], "vm");
    const auto back = secret_from_json(json_secret);
    EXPECT_EQ(back.header, secret.header);
    EXPECT_EQ(back.secret, secret.secret);
    EXPECT_EQ(back.gpa, secret.gpa);
}

TEST(AttestationProtocol, ForeignPayloadsAreProtocolErrors) {
    EXPECT_THROW(certificates_from_json(json{{"pdh", 1}}), ProtocolError);
    EXPECT_THROW(measurement_from_json(json{{"measurement", "x"},
                                            {"api_major", -1},
                                            {"api_minor", 0},
                                            {"build_id", 0},
                                            {"policy", 0}}),
                 ProtocolError);
    EXPECT_THROW(measurement_from_json(json{{"measurement", "x"},
                                            {"api_major", 1ull << 32},
                                            {"api_minor", 0},
                                            {"build_id", 0},
                                            {"policy", 0}}),
                 ProtocolError);
    EXPECT_THROW(secret_from_json(json{{"header", "h"}, {"secret", "s"}}), ProtocolError);
}

} // namespace
} // namespace sevd::libvirt_helper
