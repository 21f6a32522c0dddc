#include "launcher/attestation_rules.h"

#include "launcher/launch_error.h"
#include "launcher/property_vocabulary.h"

namespace sevd::launcher {
namespace {

bool is_base64_symbol(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

[[noreturn]] void invalid(const std::string& message) {
    throw LaunchError(ErrorCode::InvalidArgument, message);
}

// What the blob under `what` must decode to, checked.
void check_blob(std::string_view what, std::string_view text, size_t min_bytes, size_t max_bytes,
                const std::string& expected) {
    const auto size = base64_decoded_size(text);
    if (!size)
        invalid(std::string(what) +
                " is not base64 (RFC 4648 alphabet A-Z a-z 0-9 + /, padded with =, no blanks); "
                "encode the file with `base64 -w0`");
    if (*size < min_bytes || *size > max_bytes)
        invalid(std::string(what) + " decodes to " + std::to_string(*size) + " bytes; " + expected);
}

} // namespace

std::optional<size_t> base64_decoded_size(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0)
        return std::nullopt;
    size_t padding = 0;
    if (text.back() == '=')
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < text.size() - padding; ++i)
        if (!is_base64_symbol(text[i]))
            return std::nullopt;
    return text.size() / 4 * 3 - padding;
}

size_t attestation_value_limit(std::string_view key) {
    if (key == vocabulary::kDhCert)
        return base64_length(kSevCertificateBytes);
    if (key == vocabulary::kSession)
        return base64_length(kSevSessionBytes);
    return 0;
}

namespace rules {

std::optional<AttestationSession> choose_attestation(EncryptionModel model,
                                                     std::optional<Setting> enabled,
                                                     std::optional<Setting> dh_cert,
                                                     std::optional<Setting> session) {
    const bool on = enabled && vocabulary::parse_bool(enabled->value);
    if (!on) {
        for (const auto& blob : {dh_cert, session})
            if (blob)
                invalid("property '" + std::string(blob->key) +
                        "' is only used by a launch for "
                        "attestation; add '" +
                        std::string(vocabulary::kAttestation) + "=true' or remove it");
        return std::nullopt;
    }
    if (model == EncryptionModel::SevSnp)
        invalid("property '" + std::string(vocabulary::kAttestation) + "'='" +
                std::string(enabled->value) +
                "' asks for SEV launch attestation (the owner's session, measurement and "
                "secret before the guest runs), which an SEV-SNP guest does not have: it "
                "requests its attestation report from inside (SNP_GUEST_REQUEST); remove it or "
                "choose amd-sev or amd-sev-es");
    if (!dh_cert || !session)
        invalid("property '" + std::string(vocabulary::kAttestation) +
                "=true' needs the guest "
                "owner's '" +
                std::string(vocabulary::kDhCert) + "' (GODH certificate) and '" +
                std::string(vocabulary::kSession) +
                "' (launch session blob), base64, e.g. from "
                "`sevctl session` or sev-tool --generate_launch_blob");
    check_blob("property '" + std::string(dh_cert->key) + "'", dh_cert->value, kSevCertificateBytes,
               kSevCertificateBytes,
               "a SEV certificate (the owner's GODH) is " + std::to_string(kSevCertificateBytes) +
                   " bytes");
    check_blob("property '" + std::string(session->key) + "'", session->value, kSevSessionBytes,
               kSevSessionBytes,
               "a launch session blob (SEV_SESSION_BUF) is " + std::to_string(kSevSessionBytes) +
                   " bytes");
    return AttestationSession{std::string(dh_cert->value), std::string(session->value)};
}

} // namespace rules

void check_launch_secret(std::string_view header, std::string_view secret) {
    check_blob("the secret header", header, kSevSecretHeaderBytes, kSevSecretHeaderBytes,
               "a launch secret header (SEV_HDR_BUF) is " + std::to_string(kSevSecretHeaderBytes) +
                   " bytes");
    check_blob("the secret", secret, 1, kMaxSevSecretBytes,
               "give 1 to " + std::to_string(kMaxSevSecretBytes) +
                   " bytes (the guest firmware's secret page)");
}

} // namespace sevd::launcher
