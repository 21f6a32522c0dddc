#include "tests/support/private_bus.h"

#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace sevd::test {
namespace {

const char* kTemplate = SEVD_SOURCE_DIR "/tests/support/private-bus.conf.in";
const char* kProjectPolicy = SEVD_SOURCE_DIR "/units/org.sevd.Host1.conf";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void replace_all(std::string& text, const std::string& key, const std::string& value) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size()))
        text.replace(at, key.size(), value);
}

// Reads the first line dbus-daemon prints (its address), waiting up to 10 s.
std::string read_address(int fd) {
    std::string line;
    pollfd pfd{fd, POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
        if (poll(&pfd, 1, 10'000) <= 0)
            throw std::runtime_error("dbus-daemon printed no address within 10 s");
        char buf[256];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            throw std::runtime_error("dbus-daemon exited before printing its address");
        line.append(buf, static_cast<size_t>(n));
    }
    return line.substr(0, line.find('\n'));
}

} // namespace

std::string private_bus_config(const std::string& socket_path, const std::string& extra_policy) {
    std::string text = read_text(kTemplate);
    replace_all(text, "@SOCKET_PATH@", socket_path);
    replace_all(text, "@PROJECT_POLICY@", kProjectPolicy);
    replace_all(text, "@EXTRA_POLICY@", extra_policy);
    return text;
}

PrivateBus::PrivateBus(const std::string& extra_policy, std::optional<int> cpu) {
    chmod(dir_.path().c_str(), 0755); // other uids must reach the socket
    const auto config = dir_.path() / "bus.conf";
    write_file(config, private_bus_config((dir_.path() / "bus").string(), extra_policy));

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    ChildOptions options;
    options.stdout_fd = fds[1];
    options.output_file = dir_.path() / "dbus-daemon.log"; // stderr (policy warnings)
    options.cpu = cpu;
    try {
        daemon_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{"dbus-daemon", "--nofork", "--nopidfile",
                                     "--config-file=" + config.string(), "--print-address=1"},
            options);
    } catch (...) {
        close(fds[0]);
        close(fds[1]);
        throw;
    }
    close(fds[1]);
    try {
        address_ = read_address(fds[0]);
    } catch (...) {
        close(fds[0]);
        throw;
    }
    close(fds[0]);
}

PrivateBus::~PrivateBus() {
    daemon_.reset();
}

std::map<std::string, std::string> PrivateBus::env() const {
    return {{"DBUS_SYSTEM_BUS_ADDRESS", address_}};
}

} // namespace sevd::test
