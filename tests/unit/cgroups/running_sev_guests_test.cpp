#include <gtest/gtest.h>

#include "cgroups/running_sev_guests.h"
#include "libvirt_helper/libvirt_readings.h"

namespace sevd::cgroups {
namespace {

EncryptedGuestRam counted(uint64_t bytes) {
    return {true, bytes};
}

TEST(RunningSevGuests, EncryptedDomainRamInKiB) {
    // 4194304 KiB * 1024 = 4294967296 bytes (4 GiB).
    EXPECT_EQ(encrypted_guest_ram("<domain type='kvm'><name>a</name>"
                                  "<memory unit='KiB'>4194304</memory>"
                                  "<launchSecurity type='sev'><policy>0x0033</policy>"
                                  "</launchSecurity></domain>"),
              counted(4294967296ull));
}

TEST(RunningSevGuests, OtherUnitsAndDefaultUnit) {
    EXPECT_EQ(encrypted_guest_ram(
                  "<domain><memory unit='GiB'>2</memory><launchSecurity type='sev'/></domain>"),
              counted(2147483648ull));
    EXPECT_EQ(
        encrypted_guest_ram("<domain><memory>1024</memory><launchSecurity type='sev'/></domain>"),
        counted(1048576ull)); // no unit means KiB
}

// The pool rule (probe::asid_pool): an SNP guest holds an ASID (of the SEV-ES
// range) and its memory is locked like any SEV guest's; s390-pv holds none.
TEST(RunningSevGuests, SnpGuestIsCountedOtherTypesAreNot) {
    EXPECT_EQ(encrypted_guest_ram("<domain><memory unit='MiB'>2048</memory>"
                                  "<launchSecurity type='sev-snp'><policy>0x30000</policy>"
                                  "</launchSecurity></domain>"),
              counted(2147483648ull));
    EXPECT_EQ(encrypted_guest_ram("<domain><memory unit='MiB'>2048</memory>"
                                  "<launchSecurity type='s390-pv'/></domain>"),
              EncryptedGuestRam{});
}

TEST(RunningSevGuests, PlainDomainIsNotCounted) {
    EXPECT_FALSE(
        encrypted_guest_ram("<domain><memory unit='KiB'>4194304</memory></domain>").encrypted);
}

// Unknown is not zero: an encrypted domain whose memory cannot be read is
// counted, with its size unknown.
TEST(RunningSevGuests, UnreadableMemoryIsCountedAsUnknown) {
    EXPECT_FALSE(encrypted_guest_ram("<domain").encrypted);
    const EncryptedGuestRam unknown{true, std::nullopt};
    EXPECT_EQ(encrypted_guest_ram(
                  "<domain><memory unit='KiB'>x</memory><launchSecurity type='sev'/></domain>"),
              unknown);
    EXPECT_EQ(encrypted_guest_ram(
                  "<domain><memory unit='parsec'>1</memory><launchSecurity type='sev'/></domain>"),
              unknown);
    EXPECT_EQ(encrypted_guest_ram("<domain><memory unit='EiB'>17</memory>"
                                  "<launchSecurity type='sev'/></domain>"),
              unknown); // 17 EiB does not fit 64 bits
}

TEST(RunningSevGuests, UnreachableLibvirtCountsNothingWithANote) {
    // A URI whose socket cannot exist: the query must not throw.
    const auto guests = libvirt::query_running_sev_guests(
        "qemu+unix:///system?socket=/nonexistent/sevd-test.sock", 16);
    EXPECT_FALSE(guests.libvirt_reachable);
    EXPECT_EQ(guests.count, 0u);
    EXPECT_EQ(guests.locked_bytes, 0u);
    EXPECT_NE(guests.note.find("is not reachable"), std::string::npos);
}

} // namespace
} // namespace sevd::cgroups
