// The one text policy (common/text.h): what is shown, and the two ways of
// replacing the rest (config errors spell bytes \xHH; everything else '?').
#include <gtest/gtest.h>

#include "common/text.h"

namespace sevd {
namespace {

// What configuration errors use (config/config.h).
std::string escaped(std::string_view s) {
    return printable_text(s, {.replace = ShowPolicy::Replace::HexEscape, .keep_tab = false});
}

TEST(PrintableText, ReportsReplaceWhatIsNotShownWithAQuestionMark) {
    EXPECT_EQ(printable_text("EPYC\x01 7742\tx\xff"), "EPYC? 7742\tx?");
}

TEST(PrintableText, KeepsPrintableUtf8) {
    EXPECT_EQ(escaped("qemu:///system"), "qemu:///system");
    EXPECT_EQ(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"); // é, €, U+1F600
}

TEST(PrintableText, EscapesControlCharacters) {
    EXPECT_EQ(escaped("a\x1B[31mb\tc\x7F"), "a\\x1B[31mb\\x09c\\x7F");
    EXPECT_EQ(escaped(std::string("a\0b", 3)), "a\\x00b");
}

TEST(PrintableText, EscapesBytesThatAreNotUtf8) {
    EXPECT_EQ(escaped("12\xFF"), "12\\xFF");                        // never valid
    EXPECT_EQ(escaped("x\xC3"), "x\\xC3");                          // cut sequence
    EXPECT_EQ(escaped("\xC0\xAF"), "\\xC0\\xAF");                   // overlong '/'
    EXPECT_EQ(escaped("\xE0\x80\xAF"), "\\xE0\\x80\\xAF");          // overlong '/'
    EXPECT_EQ(escaped("\xED\xA0\x80"), "\\xED\\xA0\\x80");          // surrogate U+D800
    EXPECT_EQ(escaped("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80"); // above U+10FFFF
    EXPECT_EQ(escaped("\xC3\xA9\xA9"), "\xC3\xA9\\xA9");            // stray continuation byte
}

TEST(SafeText, AcceptsUtf8WithoutControls) {
    EXPECT_TRUE(is_safe_text(""));
    EXPECT_TRUE(is_safe_text("/var/lib/libvirt/images/a'b\"c&d<e>.img"));
    EXPECT_TRUE(is_safe_text("caf\xc3\xa9"));          // é, 2 bytes
    EXPECT_TRUE(is_safe_text("\xe2\x82\xac"));         // €, 3 bytes
    EXPECT_TRUE(is_safe_text("\xf0\x9f\x92\xbe.img")); // 💾, 4 bytes
}

TEST(SafeText, RefusesControlsInvalidUtf8AndNonXmlCharacters) {
    EXPECT_FALSE(is_safe_text("a\nb"));
    EXPECT_FALSE(is_safe_text("a\tb"));
    EXPECT_FALSE(is_safe_text("a\x7f"));
    EXPECT_FALSE(is_safe_text(std::string("a\0b", 3)));
    EXPECT_FALSE(is_safe_text("\xff"));             // never a UTF-8 byte
    EXPECT_FALSE(is_safe_text("\xc3"));             // cut short
    EXPECT_FALSE(is_safe_text("\xc0\xaf"));         // overlong '/'
    EXPECT_FALSE(is_safe_text("\xed\xa0\x80"));     // surrogate U+D800
    EXPECT_FALSE(is_safe_text("\xef\xbf\xbe"));     // U+FFFE
    EXPECT_FALSE(is_safe_text("\xef\xbf\xbf"));     // U+FFFF
    EXPECT_FALSE(is_safe_text("\xf4\x90\x80\x80")); // above U+10FFFF
}

TEST(Printable, CutsOnCharacterBoundariesAndReplacesBadBytes) {
    EXPECT_EQ(printable("short"), "short");
    // "ééé" is 6 bytes; 3 allowed: one é (2 bytes) fits, the next would make 4.
    EXPECT_EQ(printable("\xc3\xa9\xc3\xa9\xc3\xa9", 3), "\xc3\xa9...");
    EXPECT_EQ(printable("a\xff"
                        "b\n"),
              "a?b?");
    EXPECT_TRUE(is_safe_text(printable("\xc3\xa9\xff\xc3", 64)));
}

} // namespace
} // namespace sevd
