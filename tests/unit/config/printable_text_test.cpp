// printable_text and the messages it keeps printable (found by fuzz_config:
// a config byte that was not UTF-8 made `sevd tune --json` abort).
#include <gtest/gtest.h>

#include "config/config.h"

namespace sevd::config {
namespace {

TEST(PrintableText, KeepsPrintableUtf8) {
    EXPECT_EQ(printable_text("qemu:///system"), "qemu:///system");
    EXPECT_EQ(printable_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"); // é, €, U+1F600
}

TEST(PrintableText, EscapesControlCharacters) {
    EXPECT_EQ(printable_text("a\x1B[31mb\tc\x7F"), "a\\x1B[31mb\\x09c\\x7F");
    EXPECT_EQ(printable_text(std::string("a\0b", 3)), "a\\x00b");
}

TEST(PrintableText, EscapesBytesThatAreNotUtf8) {
    EXPECT_EQ(printable_text("12\xFF"), "12\\xFF");                        // never valid
    EXPECT_EQ(printable_text("x\xC3"), "x\\xC3");                          // cut sequence
    EXPECT_EQ(printable_text("\xC0\xAF"), "\\xC0\\xAF");                   // overlong '/'
    EXPECT_EQ(printable_text("\xE0\x80\xAF"), "\\xE0\\x80\\xAF");          // overlong '/'
    EXPECT_EQ(printable_text("\xED\xA0\x80"), "\\xED\\xA0\\x80");          // surrogate U+D800
    EXPECT_EQ(printable_text("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80"); // above U+10FFFF
    EXPECT_EQ(printable_text("\xC3\xA9\xA9"), "\xC3\xA9\\xA9"); // stray continuation byte
}

TEST(PrintableText, ConfigErrorsQuoteTheFileWithoutRawBytes) {
    Config config;
    try {
        parse_config_text("[memory]\nreserved_host_memory_mb = 12\xFF\n", "/etc/sevd/sevd.conf",
                          config);
        FAIL() << "accepted a value that is not a number";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/etc/sevd/sevd.conf:2: [memory] reserved_host_memory_mb = "
                               "\"12\\xFF\": not a number; give a whole number without unit, "
                               "e.g. 4096");
    }
}

} // namespace
} // namespace sevd::config
