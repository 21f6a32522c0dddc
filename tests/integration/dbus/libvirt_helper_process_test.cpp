// The daemon and its sevd-libvirt helper as processes: libvirt is mapped in
// the helper only; a killed helper is replaced and libvirt stays published;
// the helper never outlives the daemon, not even a SIGKILLed one; and with
// libvirt unreachable no helper stays between the watcher's retries.
#include <chrono>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "dbus/host_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/child_process.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/wait_until.h"

namespace sevd::test {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kRome = SEVD_FIXTURES_DIR "/rome-split-asids";
constexpr const char* kHelperComm = "sevd-libvirt";
constexpr const char* kLibvirtLibrary = "libvirt.so";
constexpr auto kSettle = 20s;

class LibvirtHelperProcess : public testing::Test {
protected:
    void start(const std::string& libvirt_uri) {
        auto options = daemon_options(kRome);
        options.libvirt_uri = libvirt_uri;
        daemon_ = std::make_unique<SevdDaemon>(bus_, options);
        conn_ = connect_to(bus_.address());
        host_ = std::make_unique<dbus::HostClient>(*conn_);
    }
    std::vector<pid_t> helpers() { return child_pids(daemon_->pid(), kHelperComm); }
    bool libvirt_available() { return host_->libvirt().value("available", false); }
    // The one helper, once Host1 says libvirt is there.
    pid_t connected_helper() {
        pid_t helper = -1;
        EXPECT_TRUE(wait_until(
            [&] {
                const auto pids = helpers();
                helper = pids.size() == 1 ? pids.front() : -1;
                return helper > 0 && libvirt_available();
            },
            kSettle))
            << daemon_->log();
        return helper;
    }

    PrivateBus bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<dbus::HostClient> host_;
};

TEST_F(LibvirtHelperProcess, LibvirtIsMappedInTheHelperNeverInTheDaemon) {
    start("test:///default");
    const pid_t helper = connected_helper();
    ASSERT_GT(helper, 0);
    EXPECT_TRUE(maps_library(helper, kLibvirtLibrary));
    EXPECT_FALSE(maps_library(daemon_->pid(), kLibvirtLibrary));
    EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
    EXPECT_TRUE(wait_until([&] { return process_gone(helper); }, 10s));
}

TEST_F(LibvirtHelperProcess, AKilledHelperIsReplacedAndLibvirtStaysPublished) {
    start("test:///default");
    const pid_t first = connected_helper();
    ASSERT_GT(first, 0);
    ASSERT_EQ(::kill(first, SIGKILL), 0);
    // The daemon reaps it, re-reads libvirt through a new helper at once.
    pid_t second = -1;
    EXPECT_TRUE(wait_until(
        [&] {
            const auto pids = helpers();
            second = pids.size() == 1 ? pids.front() : -1;
            return second > 0 && second != first && libvirt_available();
        },
        kSettle))
        << daemon_->log();
    EXPECT_NE(daemon_->log().find("sevd-libvirt (pid " + std::to_string(first) + ")"),
              std::string::npos)
        << daemon_->log();
    EXPECT_NE(daemon_->log().find("was killed by signal 9"), std::string::npos) << daemon_->log();
    EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();
    EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
}

TEST_F(LibvirtHelperProcess, TheHelperEndsWithASigkilledDaemon) {
    start("test:///default");
    const pid_t helper = connected_helper();
    ASSERT_GT(helper, 0);
    ASSERT_EQ(::kill(daemon_->pid(), SIGKILL), 0);
    ASSERT_TRUE(daemon_->process().wait_exit(10s));
    // The kernel closed the daemon's end of the link: the helper sees it and exits.
    EXPECT_TRUE(wait_until([&] { return process_gone(helper); }, 10s))
        << "helper " << helper << " outlived its daemon";
}

TEST_F(LibvirtHelperProcess, UnreachableLibvirtLeavesNoHelperBetweenRetries) {
    start(kUnreachableLibvirt);
    // The first reading is done: its error is the helper's connect error.
    ASSERT_TRUE(wait_until(
        [&] { return host_->Describe().find("nonexistent") != std::string::npos; }, kSettle))
        << daemon_->log();
    // The watcher retries at 0.5 s, 1 s, 2 s, ...; each retry's helper exits
    // with its answer, so over 3 s a helper runs only now and then.
    int samples = 0;
    int with_helper = 0;
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
        ++samples;
        with_helper += helpers().empty() ? 0 : 1;
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_LT(with_helper * 5, samples)
        << with_helper << " of " << samples << " samples saw a helper: " << daemon_->log();
    EXPECT_FALSE(libvirt_available());
    EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
}

} // namespace
} // namespace sevd::test
