#include "export/launch_stats.h"

#include <algorithm>

namespace sevd::exports {

void LaunchStats::record(std::string_view result, std::chrono::duration<double> took) {
    const auto known = std::find(kLaunchResults.begin(), kLaunchResults.end(), result);
    const auto index = known == kLaunchResults.end()
                           ? kLaunchResults.size() - 1
                           : static_cast<size_t>(known - kLaunchResults.begin());
    std::lock_guard lock(mutex_);
    ++counts_.by_result[index];
    if (result != "ok")
        return;
    const double seconds = std::max(took.count(), 0.0);
    const auto bound =
        std::lower_bound(kLaunchDurationBuckets.begin(), kLaunchDurationBuckets.end(), seconds);
    ++counts_.buckets[static_cast<size_t>(bound - kLaunchDurationBuckets.begin())];
    ++counts_.count;
    counts_.sum_seconds += seconds;
}

LaunchCounts LaunchStats::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

} // namespace sevd::exports
