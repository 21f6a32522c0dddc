// The attestation options and blob checks. Sizes from AMD's SEV API: a SEV
// certificate is 0x824 = 2084 bytes, SEV_SESSION_BUF 16+32+16+32+32 = 128,
// SEV_HDR_BUF 4+16+32 = 52; base64 of n bytes is 4*ceil(n/3) characters.
#include <functional>

#include <gtest/gtest.h>

#include "launcher/attestation_rules.h"
#include "launcher/launch_error.h"
#include "launcher/request_validator.h"

namespace sevd::launcher {
namespace {

using rules::Setting;

// n bytes of base64 ("A" = 6 zero bits), padded as RFC 4648 pads.
std::string blob(size_t bytes) {
    std::string text(base64_length(bytes), 'A');
    if (bytes % 3 == 1)
        text.replace(text.size() - 2, 2, "==");
    else if (bytes % 3 == 2)
        text.back() = '=';
    return text;
}

Setting on{"sevd:attestation", "true"};

std::optional<AttestationSession> choose(std::optional<Setting> enabled, const std::string& cert,
                                         const std::string& session) {
    return rules::choose_attestation(EncryptionModel::Sev, enabled, Setting{"sevd:dh_cert", cert},
                                     Setting{"sevd:session", session});
}

ErrorCode code_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const LaunchError& e) {
        return e.code();
    }
    ADD_FAILURE() << "accepted";
    return ErrorCode::Libvirt;
}

TEST(Base64, DecodedSizeOfStrictPaddedText) {
    EXPECT_EQ(base64_decoded_size("QUJD"), 3u);
    EXPECT_EQ(base64_decoded_size("QUI="), 2u);
    EXPECT_EQ(base64_decoded_size("QQ=="), 1u);
    EXPECT_EQ(base64_decoded_size(blob(2084)), 2084u);
    EXPECT_EQ(base64_length(2084), 2780u);
    EXPECT_EQ(base64_length(128), 172u);
    for (const char* bad : {"", "QUJ", "QU JD", "QUJD\n", "Q===", "=QUJ", "QU=D", "QUJ-", "QUJ_"})
        EXPECT_FALSE(base64_decoded_size(bad)) << bad;
}

TEST(AttestationOptions, AcceptedAtTheSevApiSizes) {
    const auto chosen = choose(on, blob(2084), blob(128));
    ASSERT_TRUE(chosen);
    EXPECT_EQ(chosen->dh_cert, blob(2084));
    EXPECT_EQ(chosen->session, blob(128));
    EXPECT_TRUE(choose(Setting{"sevd:attestation", "YES"}, blob(2084), blob(128)));
}

TEST(AttestationOptions, AbsentIsANormalLaunch) {
    EXPECT_FALSE(
        rules::choose_attestation(EncryptionModel::Sev, std::nullopt, std::nullopt, std::nullopt));
    EXPECT_FALSE(rules::choose_attestation(
        EncryptionModel::Sev, Setting{"sevd:attestation", "false"}, std::nullopt, std::nullopt));
}

TEST(AttestationOptions, RefusalsAreInvalidArgument) {
    const auto refused = [](std::function<void()> call) {
        EXPECT_EQ(code_of(call), ErrorCode::InvalidArgument);
    };
    refused([] {
        rules::choose_attestation(EncryptionModel::Sev, on, std::nullopt,
                                  Setting{"sevd:session", blob(128)});
    });
    refused([] {
        rules::choose_attestation(EncryptionModel::Sev, on, Setting{"sevd:dh_cert", blob(2084)},
                                  std::nullopt);
    });
    refused([] { choose(std::nullopt, blob(2084), blob(128)); });
    refused([] { choose(Setting{"sevd:attestation", "no"}, blob(2084), blob(128)); });
    refused([] { choose(on, blob(2083), blob(128)); });
    refused([] { choose(on, blob(2085), blob(128)); });
    refused([] { choose(on, blob(2084), blob(127)); });
    refused([] { choose(on, blob(2084), "*" + blob(128).substr(1)); });
}

// SEV-ES keeps SEV's launch flow (LAUNCH_START with the owner's blobs); SNP has
// none: its guest asks the firmware for a report from inside.
TEST(AttestationOptions, SevEsHasItSnpDoesNot) {
    const auto blobs = [](EncryptionModel model, std::optional<Setting> enabled) {
        return rules::choose_attestation(model, enabled, Setting{"sevd:dh_cert", blob(2084)},
                                         Setting{"sevd:session", blob(128)});
    };
    EXPECT_TRUE(blobs(EncryptionModel::SevEs, on));
    EXPECT_EQ(code_of([&] { blobs(EncryptionModel::SevSnp, on); }), ErrorCode::InvalidArgument);
    EXPECT_FALSE(rules::choose_attestation(EncryptionModel::SevSnp, std::nullopt, std::nullopt,
                                           std::nullopt));
    LaunchRequest request{"snp-owner-vm",
                          512,
                          1,
                          "/images/vm.img",
                          {{"hw_mem_encryption_model", "amd-sev-snp"},
                           {"sevd:attestation", "true"},
                           {"sevd:dh_cert", blob(2084)},
                           {"sevd:session", blob(128)}}};
    try {
        validate_request(request, {});
        ADD_FAILURE() << "an SNP launch with attestation was accepted";
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("amd-sev or amd-sev-es"), std::string::npos)
            << e.what();
    }
}

TEST(AttestationOptions, ValidatorKnowsTheKeysAndTheirLengths) {
    LaunchRequest request{
        "owner-vm",
        512,
        1,
        "/images/vm.img",
        {{"sevd:attestation", "1"}, {"sevd:dh_cert", blob(2084)}, {"sevd:session", blob(128)}}};
    const auto validated = validate_request(request, {});
    ASSERT_TRUE(validated.attestation);
    EXPECT_EQ(validated.attestation->session, blob(128));
    // A certificate longer than any valid one is refused by length before decoding.
    request.properties["sevd:dh_cert"] = blob(2084) + "AAAA";
    EXPECT_EQ(code_of([&] { validate_request(request, {}); }), ErrorCode::InvalidArgument);
    // Other properties keep the general limit.
    request.properties = {{"hw_machine_type", std::string(kMaxPropertyValueLength + 1, 'q')}};
    EXPECT_EQ(code_of([&] { validate_request(request, {}); }), ErrorCode::InvalidArgument);
}

TEST(LaunchSecret, HeaderIs52BytesSecretOneTo4096) {
    EXPECT_NO_THROW(check_launch_secret(blob(52), blob(1)));
    EXPECT_NO_THROW(check_launch_secret(blob(52), blob(4096)));
    for (const auto& [header, secret] :
         std::vector<std::pair<std::string, std::string>>{{blob(51), blob(16)},
                                                          {blob(53), blob(16)},
                                                          {blob(52), ""},
                                                          {blob(52), blob(4097)},
                                                          {"not base64", blob(16)},
                                                          {blob(52), "a b="}}) {
        EXPECT_EQ(code_of([&] { check_launch_secret(header, secret); }), ErrorCode::InvalidArgument)
            << header.size() << " " << secret.size();
    }
}

} // namespace
} // namespace sevd::launcher
