// The real `sevd serve` binary on a PrivateBus: started by PID, considered up
// when org.sevd.Host1 has an owner, stopped by PID (SIGTERM) with its exit
// status checked by the caller. Its log is kept for failure messages.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/private_bus.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {

inline constexpr const char* kSevdBinary = SEVD_BINARY_DIR "/cli/sevd";
inline constexpr const char* kSevdctlBinary = SEVD_BINARY_DIR "/cli/sevdctl";
// A libvirt URI nothing answers: the daemon must come up without libvirt.
inline constexpr const char* kUnreachableLibvirt =
    "qemu+unix:///system?socket=/nonexistent/sevd-test-sock";

struct SevdDaemonOptions {
    std::filesystem::path root; // snapshot directory (required: tests never probe the live host)
    std::string libvirt_uri = kUnreachableLibvirt; // "": no --libvirt-uri (replay the snapshot's)
    std::optional<std::filesystem::path> config;   // default: an empty config file (all defaults)
    std::vector<std::string> extra_args;
    std::map<std::string, std::string> env; // added to the daemon's environment
    std::optional<int> cpu;                 // pin the daemon to this CPU
    bool wait_for_name = true;
};

// Options for a daemon reading `root`, with every other field at its default.
SevdDaemonOptions daemon_options(const std::filesystem::path& root);

// A host ready for launches on the libvirt test driver: the snapshot copied
// into `dir`, one raw disk in dir/images and a config whose image_dirs is that
// folder. Tests may edit the snapshot under `root` before starting the daemon.
struct LaunchSetup {
    std::filesystem::path root;
    std::string disk;
    SevdDaemonOptions options;
};
LaunchSetup launch_setup(TempDir& dir, const std::filesystem::path& fixture);

class SevdDaemon {
public:
    SevdDaemon(const PrivateBus& bus, const SevdDaemonOptions& options);
    ~SevdDaemon(); // SIGTERM by PID
    SevdDaemon(const SevdDaemon&) = delete;
    SevdDaemon& operator=(const SevdDaemon&) = delete;

    pid_t pid() const { return process_->pid(); }
    ChildProcess& process() { return *process_; }
    std::string log() const; // what the daemon printed so far
    // SIGTERM and wait: the exit status (0 = clean), nullopt if it hung.
    std::optional<int> stop();

private:
    TempDir dir_{"sevd-daemon"};
    std::unique_ptr<ChildProcess> process_;
};

// Waits until `name` has an owner on the bus at `address` (polls NameHasOwner
// every millisecond); false on timeout or when `owner_process` exits first.
bool wait_for_bus_name(const std::string& address, const std::string& name,
                       std::chrono::milliseconds timeout, ChildProcess* owner_process = nullptr);

} // namespace sevd::test
