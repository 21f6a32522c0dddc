#include <gtest/gtest.h>

#include "config/config.h"
#include "config/ini_lines.h"

namespace sevd::config {
namespace {

TEST(IniLines, SectionsKeysAndLineNumbers) {
    const auto entries = read_ini_entries("# head\n[libvirt]\nuri = test:///default\n\n"
                                          "[memory]\n  reserved_host_memory_mb=2048  \n",
                                          "a.conf");
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].section, "libvirt");
    EXPECT_EQ(entries[0].key, "uri");
    EXPECT_EQ(entries[0].value, "test:///default");
    EXPECT_EQ(entries[0].line, 3);
    EXPECT_EQ(entries[1].section, "memory");
    EXPECT_EQ(entries[1].value, "2048");
    EXPECT_EQ(entries[1].line, 6);
}

TEST(IniLines, InlineCommentsNeedABlankBeforeTheMarker) {
    const auto entries =
        read_ini_entries("[s]\na = 1   # one\nb = x#y\nc = ; nothing\nd=#z\n", "f");
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].value, "1");
    EXPECT_EQ(entries[1].value, "x#y");
    EXPECT_EQ(entries[2].value, "");
    EXPECT_EQ(entries[3].value, "");
}

TEST(IniLines, CrLfAndByteOrderMarkAreAccepted) {
    const auto entries = read_ini_entries("\xEF\xBB\xBF[s]\r\nk = v\r\n", "f");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].value, "v");
    EXPECT_EQ(entries[0].line, 2);
}

TEST(IniLines, MalformedLinesNameFileAndLine) {
    EXPECT_THROW(read_ini_entries("[s]\njust words\n", "f"), ConfigError);
    EXPECT_THROW(read_ini_entries("k = v\n", "f"), ConfigError);
    EXPECT_THROW(read_ini_entries("[s\n", "f"), ConfigError);
    EXPECT_THROW(read_ini_entries("[]\n", "f"), ConfigError);
    EXPECT_THROW(read_ini_entries("[s]\n = v\n", "f"), ConfigError);
    try {
        read_ini_entries("[s]\n\njust words\n", "/etc/x.conf");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/etc/x.conf:3: expected \"key = value\" or \"[section]\", "
                               "got \"just words\"");
    }
}

} // namespace
} // namespace sevd::config
