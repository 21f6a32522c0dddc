// The live /dev/sev reader: the real open() and SEV_ISSUE_CMD ioctl.
#include <cerrno>
#include <filesystem>

#include <gtest/gtest.h>

#include "probe/sev_device.h"
#include "probe/sev_platform_status.h"

namespace sevd::probe {
namespace {

TEST(SevDevice, MissingDeviceIsAnOpenError) {
    const auto reading = read_sev_device("/nonexistent/sev", false);
    EXPECT_EQ(reading.platform.kind, SevStatusRecord::Kind::OpenError);
    EXPECT_EQ(reading.platform.error_number, ENOENT);
    EXPECT_FALSE(reading.snp);
}

TEST(SevDevice, NotASevDeviceIsAnIoctlError) {
    // /dev/null opens read-only but knows no SEV_ISSUE_CMD: the kernel answers
    // ENOTTY, the firmware status stays 0. Exercises the real ioctl path.
    const auto reading = read_sev_device("/dev/null", true);
    EXPECT_EQ(reading.platform.kind, SevStatusRecord::Kind::IoctlError);
    EXPECT_EQ(reading.platform.error_number, ENOTTY);
    EXPECT_EQ(reading.platform.firmware_error, 0u);
    ASSERT_TRUE(reading.snp); // asked for: issued, and refused the same way
    EXPECT_EQ(reading.snp->error_number, ENOTTY);
}

TEST(SevDevice, RealDeviceAnswersPlatformStatus) {
    if (!std::filesystem::exists(sev::kDevicePath))
        GTEST_SKIP() << "no /dev/sev on this machine (needs an AMD SEV host)";
    const auto reading = read_sev_device(sev::kDevicePath, false);
    ASSERT_EQ(reading.platform.kind, SevStatusRecord::Kind::Reply);
    EXPECT_TRUE(decode_sev_platform_status(reading.platform.reply));
}

} // namespace
} // namespace sevd::probe
