#include "dbus/bus_loop_source.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <time.h>

namespace sevd::dbus {
namespace {

// sd-bus reports its timeout as an absolute CLOCK_MONOTONIC time in µs.
int bus_timeout_ms(uint64_t absolute_usec) {
    if (absolute_usec == std::numeric_limits<uint64_t>::max())
        return -1;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const uint64_t now_usec =
        static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
    if (absolute_usec <= now_usec)
        return 0;
    const uint64_t ms = (absolute_usec - now_usec + 999) / 1000;
    return static_cast<int>(std::min<uint64_t>(ms, std::numeric_limits<int>::max()));
}

} // namespace

void BusLoopSource::process() {
    bus_.processPendingRequest();
}

manager::LoopSource::PollRequest BusLoopSource::poll_request() {
    const auto data = bus_.getEventLoopPollData();
    return {data.fd, data.events, bus_timeout_ms(data.timeout_usec)};
}

} // namespace sevd::dbus
