// The real polkitd (polkit 122, /usr/lib/polkit-1/polkitd) on a PrivateBus,
// started and stopped by PID, considered up when org.freedesktop.PolicyKit1
// has an owner.
//
// polkitd reads actions from /usr/share/polkit-1/actions and JavaScript rules
// from /etc/polkit-1/rules.d (paths compiled in). Where mount namespaces are
// allowed it runs in its own (unshare --mount), where both paths are bind
// mounts of temporary directories holding only the test's files, so the
// host's polkit configuration is never touched and nothing is left behind
// even if the test is killed. Elsewhere (no CAP_SYS_ADMIN, e.g. a default
// container) the files go into the real directories as ScopedFiles and are
// taken out again by the destructor.
//
// polkitd is started as root and switches to user polkitd itself (started as
// polkitd it fails: "Error clearing groups"); polkit's own bus policy lets
// only that user own the name. The credential change clears
// PR_SET_PDEATHSIG, but polkitd exits when its bus goes away, and the bus
// dies with the test. It runs without --no-debug: its log lines are how the
// instance knows it has reloaded the rules.
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
#include "tests/support/scoped_file.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {

inline constexpr const char* kPolkitdBinary = "/usr/lib/polkit-1/polkitd";
inline constexpr const char* kPolkitBusName = "org.freedesktop.PolicyKit1";
inline constexpr const char* kPolkitBusPolicyFile =
    "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf";
// Extra policy for a PrivateBus that polkitd will join (as the system bus has it).
inline constexpr const char* kPolkitBusPolicy =
    "<include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>";

// Why the real polkitd cannot run here (not root, no polkitd binary, user or
// bus policy), or nullopt when it can.
std::optional<std::string> polkitd_unavailable_reason();

enum class PolkitFileLocation { PrivateMounts, HostDirectories };

class PolkitdInstance {
public:
    // Starts polkitd with `action_files` (polkit .policy files) installed and
    // no rules of the test's own; the bus must include kPolkitBusPolicy.
    // Throws std::runtime_error with polkitd's log if it does not come up in 10 s.
    PolkitdInstance(const PrivateBus& bus, const std::vector<std::filesystem::path>& action_files);
    ~PolkitdInstance(); // SIGTERM by PID, then the files go
    PolkitdInstance(const PolkitdInstance&) = delete;
    PolkitdInstance& operator=(const PolkitdInstance&) = delete;

    pid_t pid() const { return process_->pid(); }
    PolkitFileLocation file_location() const { return location_; }
    std::string log() const;

    // Adds rules.d/`file_name` (must end in .rules) with `javascript`, or
    // removes it, and waits until polkitd has reloaded with it; throws
    // std::runtime_error with the log when it has not within `timeout`.
    void add_rule(const std::string& file_name, const std::string& javascript,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void remove_rule(const std::string& file_name,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    // Waits for a rules load after the first `loads_before` whose rule count is `expected`.
    void wait_for_rules(size_t loads_before, int expected, std::chrono::milliseconds timeout);

    TempDir dir_{"sevd-polkitd"};
    PolkitFileLocation location_;
    std::filesystem::path actions_dir_;
    std::filesystem::path rules_dir_;
    std::vector<std::unique_ptr<ScopedFile>> actions_;
    std::map<std::string, std::unique_ptr<ScopedFile>> rules_;
    std::unique_ptr<ChildProcess> process_;
    int startup_rule_count_ = 0;
};

} // namespace sevd::test
