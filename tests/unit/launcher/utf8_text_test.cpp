// Text that may reach domain XML or a D-Bus error message.
#include <gtest/gtest.h>

#include "launcher/utf8_text.h"

namespace sevd::launcher {
namespace {

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
} // namespace sevd::launcher
