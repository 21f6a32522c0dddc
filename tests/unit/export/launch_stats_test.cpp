#include <gtest/gtest.h>

#include "export/launch_stats.h"

namespace sevd::exports {
namespace {

using namespace std::chrono_literals;

size_t result_index(std::string_view result) {
    return static_cast<size_t>(std::find(kLaunchResults.begin(), kLaunchResults.end(), result) -
                               kLaunchResults.begin());
}

TEST(LaunchStats, ResultsNameEveryRefusal) {
    EXPECT_EQ(launch_result(std::nullopt), "ok");
    EXPECT_EQ(launch_result(launcher::ErrorCode::NoSlots), "no_slots");
    EXPECT_EQ(launch_result(launcher::ErrorCode::InsufficientMemory), "insufficient_memory");
    for (const auto code : {launcher::ErrorCode::InvalidArgument, launcher::ErrorCode::Unsupported,
                            launcher::ErrorCode::Conflict, launcher::ErrorCode::NoSlots,
                            launcher::ErrorCode::InsufficientMemory, launcher::ErrorCode::Libvirt})
        EXPECT_LT(result_index(launch_result(code)), kLaunchResults.size());
}

TEST(LaunchStats, BucketsHoldTheirUpperBound) {
    LaunchStats stats;
    stats.record("ok", 100ms); // le=0.1 holds exactly 0.1
    stats.record("ok", 101ms);
    stats.record("ok", 500s); // above every bound
    stats.record("libvirt", 2s);
    stats.record("something new", 1s); // counted as failed
    const auto counts = stats.counts();
    EXPECT_EQ(counts.buckets[0], 1u);
    EXPECT_EQ(counts.buckets[1], 1u);
    EXPECT_EQ(counts.buckets.back(), 1u);
    EXPECT_EQ(counts.count, 3u);
    EXPECT_DOUBLE_EQ(counts.sum_seconds, 500.201);
    EXPECT_EQ(counts.by_result[result_index("ok")], 3u);
    EXPECT_EQ(counts.by_result[result_index("libvirt")], 1u);
    EXPECT_EQ(counts.by_result[result_index("failed")], 1u);
}

} // namespace
} // namespace sevd::exports
