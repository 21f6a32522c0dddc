// A task run once, `delay` after the first of a burst of requests: a burst of
// uevents or of launches shares one re-reading. Loop thread only.
#pragma once

#include <chrono>
#include <functional>

#include "manager/main_loop.h"

namespace sevd::manager {

class CoalescedTask {
public:
    CoalescedTask(MainLoop& loop, std::chrono::milliseconds delay, std::function<void()> task)
        : loop_(loop), delay_(delay), task_(std::move(task)) {}
    CoalescedTask(const CoalescedTask&) = delete;
    CoalescedTask& operator=(const CoalescedTask&) = delete;

    void request() {
        if (pending_)
            return;
        pending_ = true;
        loop_.run_after(delay_, [this] {
            pending_ = false;
            task_();
        });
    }

private:
    MainLoop& loop_;
    const std::chrono::milliseconds delay_;
    const std::function<void()> task_;
    bool pending_ = false;
};

} // namespace sevd::manager
