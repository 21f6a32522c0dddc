// Attestation, the guest owner's side of AMD's SEV launch flow: the owner
// checks the platform's certificates, starts the guest paused with its own
// Diffie-Hellman certificate (GODH) and launch session, compares the launch
// measurement with what the image should give, and only then injects a
// secret and resumes the guest. The request options and blob checks. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "launcher/property_rules.h"

namespace sevd::launcher {

// Sizes from AMD's SEV API specification (the firmware checks them too):
// a SEV certificate (Appendix C, the owner's GODH) is 0x824 bytes;
// SEV_SESSION_BUF (LAUNCH_START) is nonce 16 + wrapped TEK/TIK 32 + IV 16 +
// wrap MAC 32 + policy MAC 32; SEV_HDR_BUF (LAUNCH_SECRET) is flags 4 + IV 16
// + MAC 32.
inline constexpr size_t kSevCertificateBytes = 2084;
inline constexpr size_t kSevSessionBytes = 128;
inline constexpr size_t kSevSecretHeaderBytes = 52;
// OVMF reserves one 4 KiB page for the launch secret (PcdSevLaunchSecretSize).
inline constexpr size_t kMaxSevSecretBytes = 4096;

// The longest base64 text a blob of `bytes` needs (padded).
constexpr size_t base64_length(size_t bytes) {
    return (bytes + 2) / 3 * 4;
}

// Decoded size of strict, padded base64 (RFC 4648 alphabet, no blanks);
// nullopt when `text` is not that.
std::optional<size_t> base64_decoded_size(std::string_view text);

// The longest value each attestation option may have (other properties keep
// the general limit); 0 for a key that is not one of them.
size_t attestation_value_limit(std::string_view key);

namespace rules {

// sevd:attestation (boolean), sevd:dh_cert, sevd:session: attestation on
// needs both blobs and a SEV or SEV-ES guest (an SNP guest has no owner's
// LAUNCH_START blobs: it asks its firmware for a report from inside); blobs
// without attestation on are refused (InvalidArgument naming what to set).
// nullopt: a normal launch.
std::optional<AttestationSession> choose_attestation(EncryptionModel model,
                                                     std::optional<Setting> enabled,
                                                     std::optional<Setting> dh_cert,
                                                     std::optional<Setting> session);

} // namespace rules

// InjectSecret's arguments: header and secret are base64 of a SEV_HDR_BUF and
// of 1..kMaxSevSecretBytes bytes. Throws LaunchError(InvalidArgument).
void check_launch_secret(std::string_view header, std::string_view secret);

} // namespace sevd::launcher
