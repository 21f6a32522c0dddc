#include <gtest/gtest.h>

#include "cgroups/running_sev_guests.h"

namespace sevd::cgroups {
namespace {

TEST(RunningSevGuests, EncryptedDomainRamInKiB) {
    // 4194304 KiB * 1024 = 4294967296 bytes (4 GiB).
    EXPECT_EQ(encrypted_guest_ram_bytes("<domain type='kvm'><name>a</name>"
                                        "<memory unit='KiB'>4194304</memory>"
                                        "<launchSecurity type='sev'><policy>0x0033</policy>"
                                        "</launchSecurity></domain>"),
              4294967296ull);
}

TEST(RunningSevGuests, OtherUnitsAndDefaultUnit) {
    EXPECT_EQ(encrypted_guest_ram_bytes(
                  "<domain><memory unit='GiB'>2</memory><launchSecurity type='sev'/></domain>"),
              2147483648ull);
    EXPECT_EQ(encrypted_guest_ram_bytes(
                  "<domain><memory>1024</memory><launchSecurity type='sev'/></domain>"),
              1048576ull); // no unit means KiB
}

TEST(RunningSevGuests, PlainDomainIsNotCounted) {
    EXPECT_FALSE(encrypted_guest_ram_bytes("<domain><memory unit='KiB'>4194304</memory></domain>"));
}

TEST(RunningSevGuests, BadXmlOrMemoryIsNotCounted) {
    EXPECT_FALSE(encrypted_guest_ram_bytes("<domain"));
    EXPECT_FALSE(encrypted_guest_ram_bytes(
        "<domain><memory unit='KiB'>x</memory><launchSecurity type='sev'/></domain>"));
    EXPECT_FALSE(encrypted_guest_ram_bytes(
        "<domain><memory unit='parsec'>1</memory><launchSecurity type='sev'/></domain>"));
}

TEST(RunningSevGuests, UnreachableLibvirtCountsNothingWithANote) {
    // A URI whose socket cannot exist: the query must not throw.
    const auto guests =
        query_running_sev_guests("qemu+unix:///system?socket=/nonexistent/sevd-test.sock", 16);
    EXPECT_FALSE(guests.libvirt_reachable);
    EXPECT_EQ(guests.count, 0u);
    EXPECT_EQ(guests.locked_bytes, 0u);
    EXPECT_NE(guests.note.find("is not reachable"), std::string::npos);
}

} // namespace
} // namespace sevd::cgroups
