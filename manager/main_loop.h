// The daemon's single-threaded event loop: one message connection (the bus,
// through LoopSource), watched file descriptors (udev, signals), one-shot
// timers and tasks posted from worker threads. The manager's state and every
// bus object are touched only from this thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

namespace sevd::manager {

// A connection the loop dispatches one message at a time (dbus/ adapts the
// bus connection to it): what to poll for, and one processing step.
class LoopSource {
public:
    struct PollRequest {
        int fd = -1;
        short events = 0;
        int timeout_ms = -1; // -1: none
    };
    virtual ~LoopSource() = default;
    virtual void process() = 0;
    virtual PollRequest poll_request() = 0;
};

class MainLoop {
public:
    using Task = std::function<void()>;
    using Clock = std::chrono::steady_clock;

    MainLoop();
    ~MainLoop();
    MainLoop(const MainLoop&) = delete;
    MainLoop& operator=(const MainLoop&) = delete;

    // The connection whose messages this loop dispatches (borrowed; must outlive run()).
    void attach(LoopSource& source) { source_ = &source; }
    // Calls `on_readable` whenever `fd` (borrowed) is readable.
    void watch(int fd, Task on_readable);
    // Runs `task` on the loop thread after `delay`.
    void run_after(std::chrono::milliseconds delay, Task task);
    // Thread-safe: runs `task` on the loop thread soon.
    void post(Task task);

    // Dispatches until quit(); returns quit's exit code.
    int run();
    void quit(int exit_code);

private:
    struct Watch {
        int fd;
        Task on_readable;
    };
    struct Timer {
        Clock::time_point due;
        Task task;
    };

    int poll_timeout_ms() const;
    void run_posted_tasks();
    void run_due_timers();

    int wake_fd_ = -1; // eventfd: post() wakes poll()
    LoopSource* source_ = nullptr;
    std::vector<Watch> watches_;
    std::vector<Timer> timers_;
    std::mutex posted_mutex_;
    std::vector<Task> posted_;
    bool quit_ = false;
    int exit_code_ = 0;
};

} // namespace sevd::manager
