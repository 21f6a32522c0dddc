// SEV_PLATFORM_STATUS / SNP_PLATFORM_STATUS replies, the snapshot record
// text, firmware error names.
#include <cerrno>

#include <gtest/gtest.h>

#include "probe/sev_firmware_error.h"
#include "probe/sev_platform_status.h"
#include "probe/sev_status_record.h"

namespace sevd::probe {
namespace {

std::vector<uint8_t> reply_of(std::string_view hex) {
    const auto parsed = parse_sev_status_record(hex);
    EXPECT_TRUE(parsed.record) << parsed.error;
    return parsed.record ? parsed.record->reply : std::vector<uint8_t>{};
}

TEST(SevPlatformStatus, AwsM6aMetalReply) {
    // real-hosts.md: 01 33 00 | 00 00 00 00 | 03 | 00 00 00 00
    // -> api 1.51 (0x33 = 51), state 0 (uninit), flags 0, build 3, guest_count 0.
    const auto status = decode_sev_platform_status(reply_of("013300000000000300000000"));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->api_major, 1);
    EXPECT_EQ(status->api_minor, 51);
    EXPECT_EQ(status->state, 0);
    EXPECT_EQ(status->flags, 0u);
    EXPECT_EQ(status->build, 3);
    EXPECT_EQ(status->guest_count, 0u);
}

TEST(SevPlatformStatus, FlagsAndGuestsLittleEndian) {
    // flags bytes 01 01 00 00 -> 0x00000101 (owner external + SEV-ES initialized);
    // guest count bytes 04 01 00 00 -> 0x104 = 260.
    const auto status = decode_sev_platform_status(reply_of("011802010100001504010000"));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, 2);
    EXPECT_EQ(status->flags, sev::kFlagOwnerExternal | sev::kFlagEsInitialized);
    EXPECT_EQ(status->build, 0x15);
    EXPECT_EQ(status->guest_count, 260u);
}

TEST(SevPlatformStatus, WrongSizeRefused) {
    EXPECT_FALSE(decode_sev_platform_status(reply_of("0133000000")));                 // 5 bytes
    EXPECT_FALSE(decode_sev_platform_status(reply_of("01330000000000030000000000"))); // 13
    EXPECT_FALSE(decode_sev_platform_status({}));
}

TEST(SnpPlatformStatus, Fields) {
    // api 1.55, state 1, byte3 = 01 (RMP initialized), build 0x15 (LE u32),
    // features 0, guests 2, current TCB 0x1122334455667788, reported TCB 1.
    const auto status = decode_snp_platform_status(reply_of("01370101150000000000000002000000"
                                                            "88776655443322110100000000000000"));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->api_major, 1);
    EXPECT_EQ(status->api_minor, 0x37);
    EXPECT_EQ(status->state, 1);
    EXPECT_TRUE(status->rmp_initialized);
    EXPECT_EQ(status->build, 0x15u);
    EXPECT_EQ(status->guest_count, 2u);
    EXPECT_EQ(status->current_tcb, 0x1122334455667788ull);
    EXPECT_EQ(status->reported_tcb, 1ull);
    EXPECT_FALSE(decode_snp_platform_status(reply_of("013300000000000300000000"))); // 12 bytes
}

TEST(FirmwareState, RawValues) {
    EXPECT_EQ(firmware_state_from_raw(0), FirmwareState::Uninit);
    EXPECT_EQ(firmware_state_from_raw(1), FirmwareState::Init);
    EXPECT_EQ(firmware_state_from_raw(2), FirmwareState::Working);
    EXPECT_EQ(firmware_state_from_raw(3), std::nullopt);
}

TEST(SevStatusRecord, ErrorForms) {
    auto parsed = parse_sev_status_record("EACCES\n");
    ASSERT_TRUE(parsed.record);
    EXPECT_EQ(parsed.record->kind, SevStatusRecord::Kind::OpenError);
    EXPECT_EQ(parsed.record->error_number, EACCES);

    parsed = parse_sev_status_record("open-error ENODEV");
    ASSERT_TRUE(parsed.record);
    EXPECT_EQ(parsed.record->error_number, ENODEV);

    parsed = parse_sev_status_record("ioctl-error EIO 0x13\n");
    ASSERT_TRUE(parsed.record);
    EXPECT_EQ(parsed.record->kind, SevStatusRecord::Kind::IoctlError);
    EXPECT_EQ(parsed.record->error_number, EIO);
    EXPECT_EQ(parsed.record->firmware_error, 0x13u);
}

TEST(SevStatusRecord, BadText) {
    EXPECT_FALSE(parse_sev_status_record("").record);
    EXPECT_FALSE(parse_sev_status_record("0133x").record);
    EXPECT_FALSE(parse_sev_status_record("013").record); // odd digit count
    EXPECT_FALSE(parse_sev_status_record("ENOSUCHERRNO").record);
    EXPECT_FALSE(parse_sev_status_record("ioctl-error EIO").record);
    EXPECT_FALSE(parse_sev_status_record("ioctl-error EIO zz").record);
}

TEST(SevStatusRecord, FormatRoundTrips) {
    for (const auto* text :
         {"013300000000000300000000\n", "open-error EACCES\n", "ioctl-error EIO 0x13\n"}) {
        const auto parsed = parse_sev_status_record(text);
        ASSERT_TRUE(parsed.record) << text;
        EXPECT_EQ(format_sev_status_record(*parsed.record), text);
    }
}

TEST(SevFirmwareError, NamesByValue) {
    // The codes real-hosts.md lists as seen on real hosts.
    EXPECT_EQ(sev_firmware_error_name(0x01), "INVALID_PLATFORM_STATE");
    EXPECT_EQ(sev_firmware_error_name(0x03), "INVALID_CONFIG");
    EXPECT_EQ(sev_firmware_error_name(0x0E), "WBINVD_REQUIRED");
    EXPECT_EQ(sev_firmware_error_name(0x13), "HWSEV_RET_PLATFORM");
    EXPECT_EQ(sev_firmware_error_name(0x00), "SUCCESS");
    EXPECT_EQ(sev_firmware_error_name(0x26), "INVALID_KEY");
    EXPECT_EQ(sev_firmware_error_name(0x27), "UNKNOWN");
    EXPECT_EQ(sev_firmware_error_name(0xFFFFFFFF), "UNKNOWN");
    EXPECT_EQ(describe_sev_firmware_error(0x13).rfind("0x13 HWSEV_RET_PLATFORM (", 0), 0u);
}

} // namespace
} // namespace sevd::probe
