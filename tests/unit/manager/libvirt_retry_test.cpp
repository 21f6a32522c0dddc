#include <gtest/gtest.h>

#include "manager/libvirt_watcher.h"

namespace sevd::manager {
namespace {

using std::chrono::milliseconds;

TEST(LibvirtRetry, StartsAtTheFirstDelayThenDoublesUpToTheCap) {
    const LibvirtRetryPolicy policy{milliseconds(500), milliseconds(3000), milliseconds(30000)};
    // 0 → 500 (first), 500 → 1000, 1000 → 2000, 2000 → 3000 (4000 capped), 3000 → 3000.
    EXPECT_EQ(next_retry_delay(milliseconds(0), policy), milliseconds(500));
    EXPECT_EQ(next_retry_delay(milliseconds(500), policy), milliseconds(1000));
    EXPECT_EQ(next_retry_delay(milliseconds(1000), policy), milliseconds(2000));
    EXPECT_EQ(next_retry_delay(milliseconds(2000), policy), milliseconds(3000));
    EXPECT_EQ(next_retry_delay(milliseconds(3000), policy), milliseconds(3000));
}

} // namespace
} // namespace sevd::manager
