// The emulated SEV host (the project's fwupd-style emulation, tests/README.md):
// the real /usr/sbin/libvirtd with the QEMU driver, in system mode, in a
// mount namespace of its own, pointed at a fake qemu-system-x86_64
// (tests/support/fake-qemu) that replays this machine's real QEMU 7.2 probe
// answers with SEV added, starts and plays guests, and logs every command
// line and QMP command. libvirt accepts, starts, measures and injects into
// SEV and SEV-ES domains as on a real SEV host. It proves what libvirt and
// sevd do with QEMU's answers, not what real firmware would measure.
//
// Started by PID (sevd-test-memlock-shim -> unshare --mount -> libvirtd) and
// stopped by PID; the fake QEMU processes are killed by the PIDs they logged
// and exit by themselves when the tree is removed. Nothing is mounted in or
// written to the host's own /dev, /etc, /var or /run.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {

// What the fake answers for SEV (query-sev-capabilities, query-sev,
// query-sev-launch-measure). Base64 strings, as QEMU sends them.
struct FakeSevAnswers {
    unsigned cbitpos = 51;
    unsigned reduced_phys_bits = 1;
    std::string pdh = "ZmFrZS1wZGgtb2YtdGhlLWVtdWxhdGVkLWhvc3Q=";
    std::string cert_chain = "ZmFrZS1jZXJ0LWNoYWluLW9mLXRoZS1lbXVsYXRlZC1ob3N0";
    std::string cpu0_id = "ZmFrZS1jcHUwLWlk";
    // 48 bytes, as LAUNCH_MEASURE gives: 32-byte HMAC + 16-byte nonce.
    std::string measurement = "c2V2ZC1mYWtlLWxhdW5jaC1tZWFzdXJlbWVudCtub25jZS00OC1ieXRlcyEhISEh";
    unsigned api_major = 1;
    unsigned api_minor = 51;
    unsigned build_id = 3;
};

struct EmulatedSevHostOptions {
    FakeSevAnswers sev;
    // A DESTDIR install tree overlaid on /usr (and /etc) for this libvirtd only.
    std::optional<std::filesystem::path> destdir;
    // Record mode: the real QEMU answers the probe and the fake writes the
    // recording here (tests/support/fake-qemu/record-probe.sh).
    std::optional<std::filesystem::path> record_to;
    std::chrono::seconds timeout{60};
};

class EmulatedSevHost {
public:
    inline static constexpr const char* kLibvirtd = "/usr/sbin/libvirtd";

    explicit EmulatedSevHost(const EmulatedSevHostOptions& options = {});
    ~EmulatedSevHost(); // stop()
    EmulatedSevHost(const EmulatedSevHost&) = delete;
    EmulatedSevHost& operator=(const EmulatedSevHost&) = delete;

    // Empty when the host can be emulated here; else why not (tests skip).
    static std::string unavailable_reason();

    // qemu+unix:///system?socket=<tree>/run/libvirt/libvirt-sock
    const std::string& uri() const { return uri_; }
    pid_t pid() const { return daemon_ ? daemon_->pid() : -1; }
    const std::filesystem::path& tree() const { return tree_.path(); }
    std::string libvirtd_log() const;

    // Every line the fake QEMU processes logged, in order: {"pid", "kind":
    // "start" (argv, mode, name) | "qmp" (execute, arguments) | "sev-guest"
    // (object, dh_cert, session) | "unrecorded" | "exit", ...}.
    std::vector<nlohmann::json> qemu_log() const;
    // The argv of the last domain process started for guest `name` (empty if none).
    std::vector<std::string> domain_argv(const std::string& name) const;
    // The pid of that process (-1 if none).
    pid_t domain_pid(const std::string& name) const;
    // The QMP commands process `pid` received, in order.
    std::vector<nlohmann::json> qmp_commands(pid_t pid) const;

    // Kills the fake QEMU processes, then stops libvirtd (SIGTERM, SIGKILL).
    void stop();

private:
    void write_tree(const EmulatedSevHostOptions& options);
    void wait_until_listening(std::chrono::seconds timeout);
    void kill_fake_qemus();

    TempDir tree_;
    std::filesystem::path log_path_;
    std::string uri_;
    std::optional<ChildProcess> daemon_;
};

} // namespace sevd::test
