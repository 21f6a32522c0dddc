// A private libvirtd for integration tests: the real /usr/sbin/libvirtd with
// the QEMU driver, in session mode under a temporary tree (its own config,
// runtime, cache and data directories), started and stopped by PID and
// removed even when a test fails. As root it runs as 'nobody' (plus the kvm
// group when there is one) because a root libvirtd always uses the system
// directories; the test, as root, can still connect to its socket.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {

// Whether a process listens on the unix stream socket at `socket_path`.
bool accepts_connections(const std::filesystem::path& socket_path);

class LibvirtdInstance {
public:
    inline static constexpr const char* kBinary = "/usr/sbin/libvirtd";

    // Starts libvirtd and waits until its socket accepts connections.
    // Throws std::runtime_error with the daemon's log when it does not come up.
    explicit LibvirtdInstance(std::chrono::seconds timeout = std::chrono::seconds(30));
    ~LibvirtdInstance(); // stops the daemon by PID; TempDir removes the tree
    LibvirtdInstance(const LibvirtdInstance&) = delete;
    LibvirtdInstance& operator=(const LibvirtdInstance&) = delete;

    // Whether the binary exists (tests GTEST_SKIP() otherwise).
    static bool available();

    // qemu:///session?socket=<private socket>
    const std::string& uri() const { return uri_; }
    pid_t pid() const { return daemon_ ? daemon_->pid() : -1; }
    std::string log() const;

    // Stop (SIGTERM, SIGKILL after a grace period) and start again on the same
    // directories: clients see their connection drop, definitions persist.
    void stop();
    void start();
    void restart();

private:
    void wait_until_listening();

    std::chrono::seconds timeout_;
    TempDir tree_;
    std::filesystem::path socket_;
    std::filesystem::path log_path_;
    std::string uri_;
    std::optional<ChildProcess> daemon_;
};

} // namespace sevd::test
