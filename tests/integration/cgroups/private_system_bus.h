// A dbus-daemon of our own, started by PID with a minimal system-bus config on
// a socket in a temporary directory, and stopped (by that PID) when destroyed.
#pragma once

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace sevd::test {

class PrivateSystemBus {
public:
    PrivateSystemBus();  // throws std::runtime_error when the daemon does not come up
    ~PrivateSystemBus(); // SIGTERM to our PID, wait, remove the directory
    PrivateSystemBus(const PrivateSystemBus&) = delete;
    PrivateSystemBus& operator=(const PrivateSystemBus&) = delete;

    const std::string& address() const { return address_; } // "unix:path=..."

private:
    std::filesystem::path dir_;
    std::string address_;
    pid_t pid_ = -1;
};

} // namespace sevd::test
