// SIGTERM, SIGINT and SIGHUP delivered as a readable fd for the main loop
// (blocked for normal delivery while this object lives).
#pragma once

#include <csignal>
#include <optional>

namespace sevd::manager {

class SignalFd {
public:
    SignalFd(); // blocks the signals in the calling thread; call before starting threads
    ~SignalFd();
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;

    int fd() const { return fd_; }
    // The next pending signal number, or nullopt when none is pending.
    std::optional<int> read_signal();

private:
    sigset_t mask_{};
    int fd_ = -1;
};

} // namespace sevd::manager
