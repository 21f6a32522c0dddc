#include "private_system_bus.h"

#include <chrono>
#include <csignal>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sevd::test {
namespace {

namespace fs = std::filesystem;

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kPoll = std::chrono::milliseconds(10);

// Anyone on this private bus may own names and call anything: the test plays
// both systemd and sevd.
std::string minimal_config(const fs::path& socket) {
    return "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig>\n"
           "  <type>system</type>\n"
           "  <listen>unix:path=" +
           socket.string() +
           "</listen>\n"
           "  <auth>EXTERNAL</auth>\n"
           "  <policy context=\"default\">\n"
           "    <allow user=\"*\"/>\n"
           "    <allow own=\"*\"/>\n"
           "    <allow send_destination=\"*\"/>\n"
           "    <allow receive_sender=\"*\"/>\n"
           "  </policy>\n"
           "</busconfig>\n";
}

} // namespace

PrivateSystemBus::PrivateSystemBus() {
    char pattern[] = "/tmp/sevd-bus-XXXXXX";
    if (mkdtemp(pattern) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const auto socket = dir_ / "system_bus_socket";
    const auto config = dir_ / "bus.conf";
    std::ofstream(config) << minimal_config(socket);
    const std::string config_arg = "--config-file=" + config.string();
    pid_ = fork();
    if (pid_ == 0) {
        execlp("dbus-daemon", "dbus-daemon", config_arg.c_str(), "--nofork", "--nopidfile",
               static_cast<char*>(nullptr));
        _exit(127);
    }
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (!fs::exists(socket)) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("dbus-daemon exited at start");
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGTERM);
            waitpid(pid_, &status, 0);
            pid_ = -1;
            throw std::runtime_error("dbus-daemon did not create its socket");
        }
        std::this_thread::sleep_for(kPoll);
    }
    address_ = "unix:path=" + socket.string();
}

PrivateSystemBus::~PrivateSystemBus() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

} // namespace sevd::test
