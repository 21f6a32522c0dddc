// Launch outcomes and round-trip times for the Prometheus export: a counter per
// result and a histogram of successful launches. Thread-safe; no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include "launcher/launch_error.h"

namespace sevd::exports {

// Upper bounds (seconds) of the launch duration histogram: a launch is
// validation plus libvirt's define and start, where QEMU pins all guest
// memory, so from well under a second to minutes for large guests.
inline constexpr std::array<double, 10> kLaunchDurationBuckets = {0.1, 0.25, 0.5, 1,  2.5,
                                                                  5,   10,   30,  60, 120};

// The `result` label: "ok", or the refusal's org.sevd.Error name in snake case,
// "failed" for anything unexpected.
inline constexpr std::array<std::string_view, 8> kLaunchResults = {
    "ok",       "invalid_argument",    "unsupported", "conflict",
    "no_slots", "insufficient_memory", "libvirt",     "failed"};

constexpr std::string_view launch_result(std::optional<launcher::ErrorCode> error) {
    if (!error)
        return "ok";
    switch (*error) {
    case launcher::ErrorCode::InvalidArgument:
        return "invalid_argument";
    case launcher::ErrorCode::Unsupported:
        return "unsupported";
    case launcher::ErrorCode::Conflict:
        return "conflict";
    case launcher::ErrorCode::NoSlots:
        return "no_slots";
    case launcher::ErrorCode::InsufficientMemory:
        return "insufficient_memory";
    case launcher::ErrorCode::Libvirt:
        return "libvirt";
    }
    return "failed";
}

struct LaunchCounts {
    std::array<uint64_t, kLaunchResults.size()> by_result{}; // in kLaunchResults order
    // Successful launches per bucket, not cumulative; the last is above every bound.
    std::array<uint64_t, kLaunchDurationBuckets.size() + 1> buckets{};
    uint64_t count = 0; // successful launches
    double sum_seconds = 0;
};

class LaunchStats {
public:
    // One Launch call's outcome (a result of kLaunchResults) and its round trip.
    void record(std::string_view result, std::chrono::duration<double> took);
    LaunchCounts counts() const;

private:
    mutable std::mutex mutex_;
    LaunchCounts counts_;
};

} // namespace sevd::exports
