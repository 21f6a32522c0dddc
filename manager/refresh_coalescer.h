// When Host1.Refresh() re-probes (pure: the caller passes the time). Anyone
// may call Refresh, so a flood must not become a flood of re-probes: at most
// one re-probe starts per interval. A call that finds none for an interval
// runs one at once; a call within the interval after one waits for the next
// one, which starts when the interval ends and answers every call that
// waited. Each caller thus sees a probe that started after its call.
#pragma once

#include <chrono>
#include <optional>

namespace sevd::manager {

class RefreshCoalescer {
public:
    using Clock = std::chrono::steady_clock;

    struct Decision {
        enum class Kind {
            ProbeNow, // re-probe now; answer every waiting call with it
            ProbeAt,  // schedule one re-probe at `at`; this call waits for it
            Join,     // one is scheduled already; this call waits for it
        };
        Kind kind = Kind::ProbeNow;
        Clock::time_point at{};
    };

    explicit RefreshCoalescer(Clock::duration interval) : interval_(interval) {}

    Decision on_call(Clock::time_point now);
    // A re-probe (any, also one for a uevent) started at `started`.
    void on_probe(Clock::time_point started);

private:
    Clock::duration interval_;
    std::optional<Clock::time_point> last_probe_;
    bool scheduled_ = false;
};

} // namespace sevd::manager
