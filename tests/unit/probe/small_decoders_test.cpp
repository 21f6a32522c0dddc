// meminfo, kvm_amd parameters, misc cgroup, memlock limits.
#include <gtest/gtest.h>

#include "common/text.h"
#include "probe/kvm_param_decoder.h"
#include "probe/limits_decoder.h"
#include "probe/meminfo_decoder.h"
#include "probe/misc_cgroup_decoder.h"

namespace sevd::probe {
namespace {

TEST(MeminfoDecoder, TotalAndAvailable) {
    const auto info = decode_meminfo("MemTotal:       16384 kB\nMemFree: 1 kB\n"
                                     "MemAvailable:    8192 kB\nHugePages_Total: 0\n");
    EXPECT_EQ(info.total_bytes, 16384ull * 1024); // 16 MiB
    EXPECT_EQ(info.available_bytes, 8192ull * 1024);
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: 1 kB"), 1024u); // no trailing newline
}

TEST(MeminfoDecoder, BadInput) {
    EXPECT_EQ(parse_meminfo_total_bytes(""), std::nullopt);
    EXPECT_EQ(parse_meminfo_total_bytes("MemFree: 5 kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: lots kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: -5 kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: 5\n"), std::nullopt);    // no unit
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: 5 MB\n"), std::nullopt); // wrong unit
    // 2^64 / 1024 overflows when scaled to bytes.
    EXPECT_EQ(parse_meminfo_total_bytes("MemTotal: 18014398509481984 kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total_bytes(std::string_view("\0\0\0", 3)), std::nullopt);
}

TEST(KvmParamDecoder, AllSpellings) {
    for (const auto* on : {"1", "1\n", "Y", "Y\n", "y"})
        EXPECT_EQ(decode_kvm_param(on).state, KvmParam::State::Enabled) << on;
    for (const auto* off : {"0", "0\n", "N", "N\n", "n"})
        EXPECT_EQ(decode_kvm_param(off).state, KvmParam::State::Disabled) << off;
    for (const auto* bad : {"", "maybe", "2", "yes", "\x01"})
        EXPECT_EQ(decode_kvm_param(bad).state, KvmParam::State::Garbage) << bad;
    EXPECT_EQ(decode_kvm_param("maybe\n").raw, "maybe");
    EXPECT_EQ(KvmParam{}.state, KvmParam::State::Missing); // default = file missing
    EXPECT_FALSE(KvmParam{}.enabled());
}

TEST(MiscCgroupDecoder, OnlyNonZeroListed) {
    // Rome with the default firmware setting lists one line: sev 509; sev_es absent = 0.
    const auto parsed = decode_misc_counts("sev 509\n");
    ASSERT_TRUE(parsed.counts);
    EXPECT_EQ(parsed.counts->sev, 509u);
    EXPECT_EQ(parsed.counts->sev_es, 0u);
}

TEST(MiscCgroupDecoder, BothAndUnknownResources) {
    const auto parsed = decode_misc_counts("sev 410\nsev_es 99\ntdx 16\n");
    ASSERT_TRUE(parsed.counts);
    EXPECT_EQ(parsed.counts->sev, 410u);
    EXPECT_EQ(parsed.counts->sev_es, 99u);
    EXPECT_TRUE(decode_misc_counts("").counts); // empty file: all zero
}

TEST(MiscCgroupDecoder, Garbage) {
    EXPECT_FALSE(decode_misc_counts("sev\n").counts);
    EXPECT_FALSE(decode_misc_counts("sev many\n").counts);
    EXPECT_FALSE(decode_misc_counts("sev 4294967296\n").counts); // > u32
    const auto parsed = decode_misc_counts("sev 1\nsev_es x\n");
    EXPECT_NE(parsed.error.find("line 2"), std::string::npos) << parsed.error;
}

TEST(LimitsDecoder, MemlockRow) {
    const auto limit = decode_memlock_limit(
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max locked memory         8388608              unlimited            bytes     \n");
    ASSERT_TRUE(limit);
    EXPECT_EQ(limit->soft_bytes, 8388608u);
    EXPECT_EQ(limit->hard_bytes, std::nullopt); // unlimited
}

TEST(LimitsDecoder, Bad) {
    EXPECT_FALSE(decode_memlock_limit(""));
    EXPECT_FALSE(decode_memlock_limit("Max locked memory  lots  unlimited bytes\n"));
    EXPECT_FALSE(decode_memlock_limit("Max locked memory\n"));
}

TEST(DecodeUtf8Char, CodePointAndLength) {
    EXPECT_EQ(decode_utf8_char("A", 0).value().code, 0x41u);
    EXPECT_EQ(decode_utf8_char("\x01", 0).value().length, 1u); // controls are well-formed
    // é = U+00E9: 0xC3 0xA9 -> (0x03 << 6) | 0x29 = 0xE9.
    const auto e_acute = decode_utf8_char("caf\xc3\xa9", 3);
    ASSERT_TRUE(e_acute);
    EXPECT_EQ(e_acute->code, 0xE9u);
    EXPECT_EQ(e_acute->length, 2u);
    // U+1F4BE: 0xF0 0x9F 0x92 0xBE -> (0 << 18) | (0x1F << 12) | (0x12 << 6) | 0x3E.
    const auto disk = decode_utf8_char("\xf0\x9f\x92\xbe", 0);
    ASSERT_TRUE(disk);
    EXPECT_EQ(disk->code, 0x1F4BEu);
    EXPECT_EQ(disk->length, 4u);
    EXPECT_EQ(decode_utf8_char("\xef\xbf\xbe", 0).value().code,
              0xFFFEu); // XML's concern, not UTF-8's
}

TEST(DecodeUtf8Char, RefusesMalformedSequences) {
    EXPECT_FALSE(decode_utf8_char("\xff", 0));     // never a UTF-8 byte
    EXPECT_FALSE(decode_utf8_char("\xa9", 0));     // continuation byte as lead
    EXPECT_FALSE(decode_utf8_char("\xe2\x82", 0)); // cut short
    EXPECT_FALSE(decode_utf8_char("\xc3"
                                  "A",
                                  0));                     // bad continuation
    EXPECT_FALSE(decode_utf8_char("\xe0\x80\xaf", 0));     // overlong '/'
    EXPECT_FALSE(decode_utf8_char("\xed\xbf\xbf", 0));     // surrogate U+DFFF
    EXPECT_FALSE(decode_utf8_char("\xf4\x90\x80\x80", 0)); // U+110000
}

TEST(PrintableText, KeepsValidUtf8ReplacesTheRest) {
    EXPECT_EQ(printable_text("AMD EPYC 7742"), "AMD EPYC 7742");
    EXPECT_EQ(printable_text("caf\xc3\xa9 \xe2\x80\x98q\xe2\x80\x99"),
              "caf\xc3\xa9 \xe2\x80\x98q\xe2\x80\x99"); // é and curly quotes stay
    EXPECT_EQ(printable_text("a\x01"
                             "b\x7f\tc"),
              "a?b?\tc");                             // controls (tab kept)
    EXPECT_EQ(printable_text("\xff\xc3"), "??");      // bad lead, truncated
    EXPECT_EQ(printable_text("\xc0\xaf"), "??");      // overlong '/'
    EXPECT_EQ(printable_text("\xed\xa0\x80"), "???"); // surrogate U+D800
}

} // namespace
} // namespace sevd::probe
