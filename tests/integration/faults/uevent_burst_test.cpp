// Fault: 1,000 kernel uevents for the kvm misc device in a burst (real ones,
// or the kernel's message on the udev group where there is no such device:
// tests/support/uevent_source.h). The daemon
// coalesces them: it re-probes a bounded number of times (counted as opens of
// the snapshot's cpuid file, which only a host re-probe reads, seen through
// inotify), announces the changed snapshot once, and answers a GetAll issued
// right after the burst within 1 s.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/integration/faults/fault_harness.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/uevent_source.h"

namespace sevd::test::faults {
namespace {

namespace fs = std::filesystem;
constexpr int kUevents = 1000;
// manager/manager.cpp kBurstCoalesceDelay: at most one re-probe per 200 ms window.
constexpr auto kCoalesceWindow = 200ms;

// Counts IN_OPEN events on one file.
class OpenCounter {
public:
    explicit OpenCounter(const fs::path& file) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        if (fd_ >= 0)
            watch_ = inotify_add_watch(fd_, file.c_str(), IN_OPEN);
    }
    ~OpenCounter() {
        if (fd_ >= 0)
            close(fd_);
    }
    OpenCounter(const OpenCounter&) = delete;
    OpenCounter& operator=(const OpenCounter&) = delete;

    bool ok() const { return fd_ >= 0 && watch_ >= 0; }
    // When the last open was seen.
    std::chrono::steady_clock::time_point last_open() const { return last_open_; }
    // Opens seen since the last call; waits up to `quiet` for each further event.
    int drain(std::chrono::milliseconds quiet) {
        int opens = 0;
        alignas(inotify_event) char buffer[4096];
        pollfd pfd{fd_, POLLIN, 0};
        while (poll(&pfd, 1, static_cast<int>(quiet.count())) > 0) {
            const ssize_t n = read(fd_, buffer, sizeof buffer);
            for (ssize_t at = 0; at < n;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
                if ((event->mask & IN_OPEN) != 0) {
                    ++opens;
                    last_open_ = std::chrono::steady_clock::now();
                }
                at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            }
        }
        return opens;
    }

private:
    int fd_;
    int watch_ = -1;
    std::chrono::steady_clock::time_point last_open_;
};

TEST(UeventBurst, ThousandUeventsAreCoalescedAndTheDaemonStaysResponsive) {
    UeventSource uevents;
    if (const auto reason = uevents.unavailable_reason(); !reason.empty())
        GTEST_SKIP() << reason;
    TempDir dir;
    const auto root = dir.copy_in(SEVD_FIXTURES_DIR "/rome-split-asids", "host");
    PrivateBus bus;
    auto options = daemon_options(root);
    options.env = uevents.daemon_env();
    SevdDaemon daemon(bus, options);
    PropertiesChangedRecorder recorder(bus.address(), kHostName, kHostPath);
    HostView host(bus.address());
    OpenCounter cpuid_opens(root / "cpuid");
    ASSERT_TRUE(cpuid_opens.ok()) << "inotify on " << (root / "cpuid");
    cpuid_opens.drain(500ms); // start-up and anything pending

    // Two more SEV guests: misc.current "sev 3" → "sev 5" (rome-split-asids, total 410).
    write_file(root / "sys/fs/cgroup/misc.current", "sev 5\nsev_es 1\n");
    const auto burst_start = std::chrono::steady_clock::now();
    for (int i = 0; i < kUevents; ++i)
        ASSERT_TRUE(uevents.send_kvm_change()) << "uevent " << i << ": " << std::strerror(errno);
    const auto burst = std::chrono::steady_clock::now() - burst_start;

    const auto asked = std::chrono::steady_clock::now();
    EXPECT_NO_THROW(host.get_all(kGetAllTimeout)) << daemon.log();
    const auto answered = std::chrono::steady_clock::now() - asked;
    if (kResponsivenessBoundApplies) {
        EXPECT_LT(answered, kResponsivenessBound) << "GetAll right after the burst";
    }

    // The re-probes stop once the queue is drained: wait for 1 s without an
    // open, reading each as it comes (its time counts).
    const int reprobes = cpuid_opens.drain(1s);
    const auto change = recorder.wait_for("SevSlots", kSettle);
    ASSERT_TRUE(change) << daemon.log();
    const auto slots = change->changed.at("SevSlots").get<sdbus::Struct<uint32_t, uint32_t>>();
    EXPECT_EQ(std::get<1>(slots), 5u);
    // The daemon may still be draining its socket after the burst was sent
    // (a loaded machine): the re-probes span from the burst's start to the last.
    const auto reprobing = cpuid_opens.last_open() - burst_start;
    const auto windows = std::chrono::duration_cast<std::chrono::milliseconds>(reprobing) /
                         std::chrono::duration_cast<std::chrono::milliseconds>(kCoalesceWindow);
    // One re-probe per coalescing window they span, plus the one that ends the
    // last window and one for a window straddling the start.
    const auto bound = static_cast<int>(windows) + 2;
    std::printf("%d uevents in %lld ms: %d re-probes (bound %d); GetAll answered in %lld us\n",
                kUevents,
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(burst).count()),
                reprobes, bound,
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::microseconds>(answered).count()));
    EXPECT_GE(reprobes, 1);
    EXPECT_LE(reprobes, bound);
    EXPECT_LT(reprobes, kUevents);
    // Only the first re-probe saw a change: the rest announce nothing.
    EXPECT_FALSE(recorder.wait_for("SevSlots", 300ms)) << "SevSlots announced twice";
    EXPECT_EQ(host.describe().at("slots").at("amd-sev").at("used"), 5);
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

} // namespace
} // namespace sevd::test::faults
