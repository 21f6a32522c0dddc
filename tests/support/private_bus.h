// A private dbus-daemon configured like the system bus (default deny) with the
// project's own policy file units/org.sevd.Host1.conf included, so tests see
// exactly the access control that ships. Started by PID with --print-address,
// stopped by PID; the socket directory is world-accessible so tests can
// connect as other uids (setpriv).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {

class PrivateBus {
public:
    // `extra_policy`: more <policy> elements, appended after the project's file.
    // `cpu`: pin dbus-daemon to this CPU (benchmarks).
    explicit PrivateBus(const std::string& extra_policy = "",
                        std::optional<int> cpu = std::nullopt);
    ~PrivateBus();
    PrivateBus(const PrivateBus&) = delete;
    PrivateBus& operator=(const PrivateBus&) = delete;

    const std::string& address() const { return address_; }
    pid_t pid() const { return daemon_->pid(); }
    // {"DBUS_SYSTEM_BUS_ADDRESS": address()} for child processes.
    std::map<std::string, std::string> env() const;

private:
    TempDir dir_{"sevd-bus"};
    std::unique_ptr<ChildProcess> daemon_;
    std::string address_;
};

// The bus configuration text for `socket_path` (exposed for tests of the template).
std::string private_bus_config(const std::string& socket_path, const std::string& extra_policy);

} // namespace sevd::test
