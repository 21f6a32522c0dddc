// RefreshCoalescer: at most one re-probe starts per interval; callers in a
// burst wait for the next one and share it. Times are passed in (no clock).
#include <gtest/gtest.h>

#include "manager/refresh_coalescer.h"

namespace sevd::manager {
namespace {

using Kind = RefreshCoalescer::Decision::Kind;
using namespace std::chrono_literals;

const RefreshCoalescer::Clock::time_point t0{std::chrono::seconds(1000)};

TEST(RefreshCoalescer, FirstCallProbesNow) {
    RefreshCoalescer c(250ms);
    EXPECT_EQ(c.on_call(t0).kind, Kind::ProbeNow);
}

TEST(RefreshCoalescer, CallsWithinTheIntervalShareOneScheduledProbe) {
    RefreshCoalescer c(250ms);
    c.on_probe(t0);
    const auto first = c.on_call(t0 + 10ms);
    EXPECT_EQ(first.kind, Kind::ProbeAt);
    EXPECT_EQ(first.at, t0 + 250ms);
    for (int i = 0; i < 1000; ++i)
        EXPECT_EQ(c.on_call(t0 + 20ms).kind, Kind::Join);
    c.on_probe(t0 + 250ms); // the scheduled one ran
    EXPECT_EQ(c.on_call(t0 + 300ms).kind, Kind::ProbeAt);
}

TEST(RefreshCoalescer, AfterTheIntervalProbesNowAgain) {
    RefreshCoalescer c(250ms);
    c.on_probe(t0);
    EXPECT_EQ(c.on_call(t0 + 250ms).kind, Kind::ProbeNow);
    EXPECT_EQ(c.on_call(t0 + 10s).kind, Kind::ProbeNow);
}

// A flood over 5 s costs at most one probe per interval: 5 s / 250 ms + 1.
TEST(RefreshCoalescer, FloodBecomesOneProbePerInterval) {
    RefreshCoalescer c(250ms);
    int probes = 0;
    bool pending = false;
    RefreshCoalescer::Clock::time_point scheduled = t0;
    for (auto now = t0; now < t0 + 5s; now += 100us) {
        if (pending && now >= scheduled) {
            c.on_probe(scheduled);
            ++probes;
            pending = false;
        }
        const auto d = c.on_call(now);
        if (d.kind == Kind::ProbeNow) {
            c.on_probe(now);
            ++probes;
        } else if (d.kind == Kind::ProbeAt) {
            pending = true;
            scheduled = d.at;
        }
    }
    EXPECT_LE(probes, 21);
    EXPECT_GE(probes, 19);
}

} // namespace
} // namespace sevd::manager
