#include <gtest/gtest.h>

#include "cgroups/limit_plan.h"
#include "probe/locked_memory.h"

namespace sevd::cgroups {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kGiB = 1024ull * 1024 * 1024;
const std::string kOrigin = "/etc/sevd/sevd.conf:3: [memory] reserved_host_memory_mb";

TEST(LimitPlan, MemTotalMinusReserve) {
    // MemTotal 24684092 kB = 25276510208 bytes; 4096 MiB = 4294967296 bytes;
    // 25276510208 - 4294967296 = 20981542912 = 5122447 pages exactly.
    const auto plan = plan_limit(25276510208ull, 4096, kPage, 0, kOrigin);
    ASSERT_TRUE(plan.ok()) << plan.refusal;
    EXPECT_EQ(plan.mem_total_bytes, 25276510208ull);
    EXPECT_EQ(plan.reserved_bytes, 4294967296ull);
    EXPECT_EQ(plan.limit_bytes, 20981542912ull);
}

TEST(LimitPlan, RoundsDownToAWholePageLikeTheKernel) {
    // MemTotal 1000001 kB = 1024001024 bytes; minus 100 MiB (104857600) = 919143424
    // = 224400.25 pages; the kernel keeps 224400 pages = 919142400 bytes.
    const auto plan = plan_limit(1024001024ull, 100, kPage, 0, kOrigin);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.limit_bytes, 919142400ull);
}

TEST(LimitPlan, ZeroReserveLimitsToMemTotal) {
    const auto plan = plan_limit(16 * kGiB, 0, kPage, 0, kOrigin);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.limit_bytes, 16 * kGiB);
}

TEST(LimitPlan, ReserveEqualToMemTotalIsRefused) {
    // 16 GiB = 16384 MiB: nothing would be left for the VMs.
    const auto plan = plan_limit(16 * kGiB, 16384, kPage, 0, kOrigin);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.refusal, kOrigin + " = 16384 MiB is not below MemTotal (16384 MiB)");
    EXPECT_EQ(plan.hint, "set reserved_host_memory_mb below 16384, leaving the VMs the rest");
}

TEST(LimitPlan, ReserveAboveMemTotalIsRefused) {
    EXPECT_FALSE(plan_limit(16 * kGiB, 20000, kPage, 0, kOrigin).ok());
}

TEST(LimitPlan, ReserveJustBelowMemTotalLeavesOneMiB) {
    const auto plan = plan_limit(16 * kGiB, 16383, kPage, 0, kOrigin);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.limit_bytes, 1024ull * 1024);
}

TEST(LimitPlan, LessThanOnePageLeftIsRefused) {
    // MemTotal 1026 kB = 1050624 bytes; minus 1 MiB leaves 2048 bytes, under one page.
    const auto plan = plan_limit(1050624ull, 1, kPage, 0, kOrigin);
    ASSERT_FALSE(plan.ok());
    EXPECT_NE(plan.refusal.find("less than one page"), std::string::npos);
}

TEST(LimitPlan, LimitBelowRunningGuestsIsRefusedWithTheLargestReserveThatFits) {
    // 16 GiB - 4096 MiB = 12 GiB limit; two running 6 GiB guests lock
    // 2 * (6 GiB + 16 MiB) = 12 GiB + 32 MiB. Largest reserve that fits:
    // 16384 - 12288 - 32 = 4064 MiB.
    const uint64_t locked = *probe::locked_bytes(6 * kGiB, 16) * 2;
    EXPECT_EQ(locked, 12 * kGiB + 32ull * 1024 * 1024);
    const auto plan = plan_limit(16 * kGiB, 4096, kPage, locked, kOrigin);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.limit_bytes, 12 * kGiB);
    EXPECT_EQ(plan.refusal, "the computed limit 12 GiB is below the 12.0 GiB locked by the SEV "
                            "guests already running; the old limit stays in force");
    EXPECT_EQ(plan.hint, "lower [memory] reserved_host_memory_mb to at most 4064 MiB, or stop "
                         "SEV guests first");
}

TEST(LimitPlan, LimitEqualToLockedMemoryIsAccepted) {
    // One guest of 12 GiB - 16 MiB RAM locks exactly 12 GiB, the limit.
    const uint64_t locked = *probe::locked_bytes(12 * kGiB - 16ull * 1024 * 1024, 16);
    EXPECT_TRUE(plan_limit(16 * kGiB, 4096, kPage, locked, kOrigin).ok());
}

// Issue 13 (4): guests locking more than MemTotal (or an unreadable guest,
// counted as everything) make the reserve hint impossible, not a wrapped number.
TEST(LimitPlan, LockedAboveMemTotalDoesNotUnderflow) {
    const auto plan = plan_limit(16 * kGiB, 4096, kPage, 20 * kGiB, kOrigin);
    ASSERT_FALSE(plan.ok());
    EXPECT_TRUE(plan.below_running_guests);
    EXPECT_EQ(plan.hint, "stop SEV guests first (they lock at least MemTotal)");
    EXPECT_FALSE(plan_limit(16 * kGiB, 0, kPage, UINT64_MAX, kOrigin).ok());
}

TEST(LimitPlan, OverflowingSumsAreRefused) {
    EXPECT_FALSE(probe::locked_bytes(UINT64_MAX - 1, 16));
    EXPECT_FALSE(probe::locked_bytes(0, UINT64_MAX));
    // A reserve whose bytes do not fit is refused like one above MemTotal.
    EXPECT_FALSE(plan_limit(16 * kGiB, UINT64_MAX, kPage, 0, kOrigin).ok());
}

TEST(LimitPlan, HumanBytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(4096), "4 KiB");
    EXPECT_EQ(human_bytes(4294967296ull), "4 GiB");
    EXPECT_EQ(human_bytes(20981542912ull), "19.5 GiB"); // 19.54 GiB
}

} // namespace
} // namespace sevd::cgroups
