#include "manager/main_loop.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sevd::manager {
namespace {

int earliest(int a, int b) {
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return std::min(a, b);
}

} // namespace

MainLoop::MainLoop() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ < 0)
        throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

MainLoop::~MainLoop() {
    close(wake_fd_);
}

void MainLoop::watch(int fd, Task on_readable) {
    watches_.push_back({fd, std::move(on_readable)});
}

void MainLoop::run_after(std::chrono::milliseconds delay, Task task) {
    timers_.push_back({Clock::now() + delay, std::move(task)});
}

void MainLoop::post(Task task) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(task));
    }
    const uint64_t one = 1;
    // A full counter still wakes poll(), so a failed write loses nothing.
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void MainLoop::quit(int exit_code) {
    quit_ = true;
    exit_code_ = exit_code;
}

int MainLoop::poll_timeout_ms() const {
    int timeout = -1;
    const auto now = Clock::now();
    for (const auto& t : timers_) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(t.due - now).count();
        timeout = earliest(timeout, static_cast<int>(std::max<int64_t>(left, 0)));
    }
    return timeout;
}

void MainLoop::run_posted_tasks() {
    uint64_t count = 0;
    [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof count);
    std::vector<Task> tasks;
    {
        std::lock_guard lock(posted_mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks)
        task();
}

void MainLoop::run_due_timers() {
    const auto now = Clock::now();
    std::vector<Task> due;
    for (auto it = timers_.begin(); it != timers_.end();) {
        if (it->due <= now) {
            due.push_back(std::move(it->task));
            it = timers_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& task : due)
        task();
}

int MainLoop::run() {
    while (!quit_) {
        // One processing step per wake-up, as sd-event's own bus integration
        // does: sd-bus reads one message at a time, and while it still holds
        // queued ones (e.g. from a synchronous call) it asks for a zero
        // timeout, so poll() never sleeps on pending work. Draining until it
        // returns false instead would cost a failed recvmsg() per request.
        if (source_ != nullptr)
            source_->process();
        if (quit_)
            break;

        std::vector<pollfd> fds;
        int timeout = poll_timeout_ms();
        if (source_ != nullptr) {
            const auto request = source_->poll_request();
            fds.push_back({request.fd, request.events, 0});
            timeout = earliest(timeout, request.timeout_ms);
        }
        const size_t first_watch = fds.size();
        for (const auto& w : watches_)
            fds.push_back({w.fd, POLLIN, 0});
        fds.push_back({wake_fd_, POLLIN, 0});

        if (poll(fds.data(), fds.size(), timeout) < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        if (fds.back().revents != 0)
            run_posted_tasks();
        for (size_t i = 0; i < watches_.size(); ++i)
            if (fds[first_watch + i].revents != 0)
                watches_[i].on_readable();
        run_due_timers();
    }
    return exit_code_;
}

} // namespace sevd::manager
