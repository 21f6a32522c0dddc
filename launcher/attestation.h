// What the attestation calls carry between the launcher and libvirt
// (virNodeGetSEVInfo, virDomainGetLaunchSecurityInfo,
// virDomainSetLaunchSecurityState). Plain values; blobs are base64 text as
// libvirt and QEMU pass them.
#pragma once

#include <cstdint>
#include <string>

namespace sevd::launcher {

// The platform's public keys: its Diffie-Hellman certificate (PDH) and the
// chain that signs it (PEK, OCA, CEK), which the owner checks against AMD's.
struct SevCertificates {
    std::string pdh;
    std::string cert_chain;
    bool operator==(const SevCertificates&) const = default;
};

// LAUNCH_MEASURE of a paused guest, with what the owner needs to recompute it.
struct LaunchMeasurement {
    std::string measurement;
    uint32_t api_major = 0;
    uint32_t api_minor = 0;
    uint32_t build_id = 0;
    uint32_t policy = 0;
    bool operator==(const LaunchMeasurement&) const = default;
};

// LAUNCH_SECRET: the owner's packet header and wrapped secret; gpa 0 lets
// libvirt (QEMU) choose the guest firmware's secret area.
struct LaunchSecret {
    std::string header;
    std::string secret;
    uint64_t gpa = 0;
};

} // namespace sevd::launcher
