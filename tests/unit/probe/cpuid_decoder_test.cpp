#include <gtest/gtest.h>

#include "probe/cpuid_decoder.h"

namespace sevd::probe {
namespace {

// "AuthenticAMD" packed as CPUID returns it: EBX "Auth", EDX "enti", ECX "cAMD".
constexpr const char* kAmdLeaf0 =
    "   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n";
// "AMD EPYC 7742 64-Core Processor" over leaves 0x80000002..4.
constexpr const char* kRomeBrand =
    "   0x80000002 0x00: eax=0x20444d41 ebx=0x43595045 ecx=0x34373720 edx=0x34362032\n"
    "   0x80000003 0x00: eax=0x726f432d ebx=0x72502065 ecx=0x7365636f edx=0x00726f73\n"
    "   0x80000004 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n";

std::string rome_dump(const std::string& leaf1f) {
    return std::string("CPU:\n") + kAmdLeaf0 +
           "   0x00000001 0x00: eax=0x00830f10 ebx=0x00400800 ecx=0x7ed8320b edx=0x178bfbff\n"
           "   0x80000000 0x00: eax=0x80000020 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n" +
           kRomeBrand + leaf1f;
}

CpuReport decode_text(const std::string& text) {
    const auto parsed = parse_cpuid_dump(text);
    EXPECT_EQ(parsed.error, "");
    const auto decoded = decode_cpuid(parsed.dump);
    EXPECT_EQ(decoded.error, "");
    return decoded.cpu;
}

TEST(CpuidDecoder, RomeLeaf) {
    // EAX 0x0001000F: bits 0..3 -> SME, SEV, page flush MSR, SEV-ES; bit 4 (SNP) clear.
    // EBX 0x16F: [5:0] = 0x2F = 47 (C-bit); [11:6] = 0x16F >> 6 = 5 (reduction); [15:12] = 0.
    const auto cpu = decode_text(rome_dump(
        "   0x8000001f 0x00: eax=0x0001000f ebx=0x0000016f ecx=0x000001fd edx=0x00000001\n"));
    EXPECT_EQ(cpu.vendor, "AuthenticAMD");
    EXPECT_EQ(cpu.brand, "AMD EPYC 7742 64-Core Processor");
    EXPECT_FALSE(cpu.hypervisor); // ECX 0x7ed8320b: bit 31 clear
    EXPECT_EQ(cpu.max_extended_leaf, 0x80000020u);
    EXPECT_TRUE(cpu.leaf_present);
    EXPECT_TRUE(cpu.sme);
    EXPECT_TRUE(cpu.sev);
    EXPECT_TRUE(cpu.page_flush_msr);
    EXPECT_TRUE(cpu.sev_es);
    EXPECT_FALSE(cpu.sev_snp);
    EXPECT_FALSE(cpu.vmpl);
    EXPECT_EQ(cpu.cbitpos, 47u);
    EXPECT_EQ(cpu.reduced_phys_bits, 5u);
    EXPECT_EQ(cpu.vmpls, 0u);
    EXPECT_EQ(cpu.max_asid, 509u); // 0x1fd
    EXPECT_EQ(cpu.min_sev_asid, 1u);
    // SEV: ASIDs 1..509 -> 509 - 1 + 1 = 509; SEV-ES: 1..EDX-1 = 1..0 -> 0.
    EXPECT_EQ(sev_asid_count(cpu), 509u);
    EXPECT_EQ(sev_es_asid_count(cpu), 0u);
}

TEST(CpuidDecoder, MilanLeafFields) {
    // EAX 0x0001FC3F: bits 0..5 all set -> SME, SEV, PFM, SEV-ES, SNP, VMPL.
    // EBX 0x4173: [5:0] = 0x33 = 51; [11:6] = (0x4173 >> 6) & 0x3f = 0x105 & 0x3f = 5;
    //             [15:12] = 4.
    const auto cpu = decode_text(rome_dump(
        "   0x8000001f 0x00: eax=0x0001fc3f ebx=0x00004173 ecx=0x000001fd edx=0x00000001\n"));
    EXPECT_TRUE(cpu.sev_snp);
    EXPECT_TRUE(cpu.vmpl);
    EXPECT_EQ(cpu.cbitpos, 51u);
    EXPECT_EQ(cpu.reduced_phys_bits, 5u);
    EXPECT_EQ(cpu.vmpls, 4u);
}

TEST(CpuidDecoder, AsidSplit) {
    // EDX = 100: SEV-ES gets 1..99 (99 ASIDs), SEV gets 100..509 (509 - 100 + 1 = 410).
    const auto cpu = decode_text(rome_dump(
        "   0x8000001f 0x00: eax=0x0001000f ebx=0x0000016f ecx=0x000001fd edx=0x00000064\n"));
    EXPECT_EQ(sev_es_asid_count(cpu), 99u);
    EXPECT_EQ(sev_asid_count(cpu), 410u);
}

TEST(CpuidDecoder, NaplesCounts) {
    // ECX 15, EDX 1: SEV ASIDs 1..15 -> 15; SEV-ES 1..EDX-1 = 1..0 -> 0 (EAX 0xF does set
    // bit 3, but with EDX = 1 no ASID is left for SEV-ES).
    const auto cpu = decode_text(rome_dump(
        "   0x8000001f 0x00: eax=0x0000000f ebx=0x0000016f ecx=0x0000000f edx=0x00000001\n"));
    EXPECT_EQ(sev_asid_count(cpu), 15u);
    EXPECT_EQ(sev_es_asid_count(cpu), 0u);
}

TEST(CpuidDecoder, MinAsidAboveMaxLeavesNoSevPool) {
    // EDX 20 > ECX 15: plain SEV range 20..15 is empty; SEV-ES 1..19 capped at ECX = 15.
    const auto cpu = decode_text(rome_dump(
        "   0x8000001f 0x00: eax=0x0000000f ebx=0x0000016f ecx=0x0000000f edx=0x00000014\n"));
    EXPECT_EQ(sev_asid_count(cpu), 0u);
    EXPECT_EQ(sev_es_asid_count(cpu), 15u);
}

TEST(CpuidDecoder, LeafIgnoredBelowMaxExtendedLeaf) {
    // A cloud VM: max extended leaf 0x8000001E, yet a 0x8000001F line with SEV bits.
    const std::string text = std::string(kAmdLeaf0) +
                             "   0x00000001 0x00: eax=0 ebx=0 ecx=0x80000000 edx=0\n"
                             "   0x80000000 0x00: eax=0x8000001e ebx=0 ecx=0 edx=0\n"
                             "   0x8000001f 0x00: eax=0x0000000f ebx=0x16f ecx=0x1fd edx=1\n";
    const auto cpu = decode_text(text);
    EXPECT_TRUE(cpu.hypervisor);
    EXPECT_FALSE(cpu.leaf_present);
    EXPECT_FALSE(cpu.sev);
    EXPECT_EQ(cpu.max_asid, 0u);
    EXPECT_EQ(cpu.brand, ""); // brand leaves absent
    EXPECT_EQ(sev_asid_count(cpu), 0u);
}

TEST(CpuidDecoder, OnlyFirstCpuRead) {
    const std::string text =
        std::string("CPU 0:\n") + kAmdLeaf0 +
        "CPU 1:\n"
        "   0x00000000 0x00: eax=0 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n";
    EXPECT_EQ(decode_text(text).vendor, "AuthenticAMD");
}

TEST(CpuidDecoder, GarbledLineNamesLine) {
    const auto parsed = parse_cpuid_dump(
        "CPU:\n   0x00000000 0x00: eax=0xZZ ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n");
    EXPECT_NE(parsed.error.find("line 2"), std::string::npos) << parsed.error;
}

TEST(CpuidDecoder, TruncatedLineIsError) {
    const auto parsed =
        parse_cpuid_dump(std::string(kAmdLeaf0) + "   0x8000001f 0x00: eax=0x0001000");
    EXPECT_NE(parsed.error.find("line 2"), std::string::npos) << parsed.error;
}

TEST(CpuidDecoder, EmptyAndBinaryInputAreErrors) {
    EXPECT_NE(parse_cpuid_dump("").error, "");
    EXPECT_NE(parse_cpuid_dump(std::string("\0\x01\xff garbage", 12)).error, "");
    EXPECT_NE(parse_cpuid_dump("   0x0 0x0: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4 extra\n").error, "");
    // Values beyond 32 bits are refused.
    EXPECT_NE(parse_cpuid_dump("   0x0 0x0: eax=0x100000000 ebx=0x2 ecx=0x3 edx=0x4\n").error, "");
}

TEST(CpuidDecoder, MissingVendorLeafIsError) {
    const auto parsed = parse_cpuid_dump("   0x00000001 0x00: eax=0 ebx=0 ecx=0 edx=0\n");
    ASSERT_EQ(parsed.error, "");
    EXPECT_NE(decode_cpuid(parsed.dump).error.find("0x00000000"), std::string::npos);
}

TEST(CpuidDecoder, AnnouncedButMissingLeafIsError) {
    const auto parsed = parse_cpuid_dump(std::string(kAmdLeaf0) +
                                         "   0x80000000 0x00: eax=0x80000020 ebx=0 ecx=0 edx=0\n");
    ASSERT_EQ(parsed.error, "");
    EXPECT_NE(decode_cpuid(parsed.dump).error.find("truncated"), std::string::npos);
}

TEST(CpuidDecoder, FormatRoundTrips) {
    CpuidDump dump;
    dump[{0x0, 0}] = {0x10, 0x68747541, 0x444d4163, 0x69746e65};
    dump[{0x8000001f, 0}] = {0x1000f, 0x16f, 509, 1};
    const auto text = format_cpuid_dump(dump);
    EXPECT_NE(text.find("   0x8000001f 0x00: eax=0x0001000f ebx=0x0000016f ecx=0x000001fd "
                        "edx=0x00000001\n"),
              std::string::npos);
    const auto parsed = parse_cpuid_dump(text);
    EXPECT_EQ(parsed.error, "");
    EXPECT_EQ(parsed.dump, dump);
}

} // namespace
} // namespace sevd::probe
