// [guests] attestation_timeout_s: default 300, 1..86400 seconds.
#include <gtest/gtest.h>

#include "config/config.h"

namespace sevd::config {
namespace {

std::string error_of(const std::string& value) {
    Config config;
    try {
        parse_config_text("[guests]\nattestation_timeout_s = " + value + "\n", "/etc/sevd/x.conf",
                          config);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(AttestationTimeout, DefaultsToFiveMinutes) {
    EXPECT_EQ(Config{}.attestation_timeout_s, 300u);
}

TEST(AttestationTimeout, IsReadInSeconds) {
    Config config;
    parse_config_text("[guests]\nattestation_timeout_s = 45\n", "x.conf", config);
    EXPECT_EQ(config.attestation_timeout_s, 45u);
    parse_config_text("[guests]\nattestation_timeout_s = 86400\n", "x.conf", config);
    EXPECT_EQ(config.attestation_timeout_s, 86400u);
}

TEST(AttestationTimeout, ZeroNegativeTooLargeAndWordsAreRefusedNamingTheKey) {
    for (const char* bad : {"0", "-5", "86401", "5m", ""}) {
        const auto error = error_of(bad);
        EXPECT_NE(error.find("/etc/sevd/x.conf:2"), std::string::npos) << bad << ": " << error;
        EXPECT_NE(error.find("attestation_timeout_s"), std::string::npos) << bad << ": " << error;
    }
}

} // namespace
} // namespace sevd::config
