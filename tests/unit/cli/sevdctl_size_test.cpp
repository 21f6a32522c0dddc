// sevdctl --memory: MiB without a unit, binary units, nothing guessed.
#include <gtest/gtest.h>

#include "cli/sevdctl_size.h"

namespace sevd::cli {
namespace {

std::optional<uint64_t> parse(std::string_view text) {
    std::string error;
    auto value = parse_size_mib(text, error);
    EXPECT_EQ(value.has_value(), error.empty()) << text;
    return value;
}

TEST(SevdctlSize, MiBWhenNoUnit) {
    EXPECT_EQ(parse("2048"), 2048u);
}

TEST(SevdctlSize, BinaryUnitsInAnyCase) {
    EXPECT_EQ(parse("512M"), 512u);
    EXPECT_EQ(parse("512MiB"), 512u);
    EXPECT_EQ(parse("2G"), 2048u);
    EXPECT_EQ(parse("2g"), 2048u);
    EXPECT_EQ(parse("2GiB"), 2048u);
    EXPECT_EQ(parse("1T"), 1048576u);
    EXPECT_EQ(parse("1tib"), 1048576u);
}

TEST(SevdctlSize, RefusesWhatItWouldHaveToGuess) {
    std::string error;
    EXPECT_FALSE(parse_size_mib("2GB", error)); // decimal: 1907.3 MiB
    EXPECT_NE(error.find("G/GiB"), std::string::npos) << error;
    EXPECT_FALSE(parse("1.5G"));
    EXPECT_FALSE(parse("G"));
    EXPECT_FALSE(parse(""));
    EXPECT_FALSE(parse("-1"));
    EXPECT_FALSE(parse("2 G"));
    EXPECT_FALSE(parse("18446744073709551615T")); // overflows
    EXPECT_FALSE(parse("99999999999999999999"));
}

} // namespace
} // namespace sevd::cli
