// Polling for a condition another process or thread brings about.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace sevd::test {

// Polls `done` every `poll` until it holds (true) or `timeout` passes (false).
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(poll);
    }
    return true;
}

} // namespace sevd::test
