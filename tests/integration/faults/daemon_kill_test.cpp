// Fault: the daemon is killed with SIGKILL while launches are in flight, and
// started again. libvirt's test driver with a node file stands for a libvirt
// whose guests outlive sevd: every sevd start re-reads the node file's running
// domains (the test driver keeps its state in the daemon process, so guests
// the killed daemon launched die with it, like guests that never started).
// After the restart the ledger holds exactly the domains really running: the
// slots it admits are total − running, never more (no double booking) and
// never fewer (no reservation survives the killed process).
#include <csignal>

#include <gtest/gtest.h>

#include "tests/integration/faults/launch_faults.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"

namespace sevd::test::faults {
namespace {

constexpr const char* kNoSlots = "org.sevd.Error.NoSlots";

std::string node_file_uri() {
    return std::string("test://") + SEVD_FIXTURES_DIR + "/libvirt/node-sev-guests.xml";
}

class DaemonKill : public testing::Test {
protected:
    void SetUp() override {
        bus_ = std::make_unique<PrivateBus>();
        start_daemon();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    void start_daemon() {
        auto options = daemon_options(host_.root);
        options.libvirt_uri = node_file_uri();
        options.config = host_.config;
        daemon_ = std::make_unique<SevdDaemon>(*bus_, options);
        view_ = std::make_unique<HostView>(bus_->address());
        // The node file's guests are counted once libvirt is read (in the background).
        ASSERT_TRUE(wait_until(
            [&] { return slots_of(view_->describe(), "amd-sev") == std::make_pair(4, 2); },
            kSettle))
            << view_->describe().dump(1) << daemon_->log();
    }
    std::vector<std::string> guest_names() {
        const auto conn = connect_to(bus_->address());
        dbus::LauncherClient launcher(*conn);
        std::vector<std::string> names;
        for (const auto& guest : launcher.Guests())
            names.push_back(std::get<0>(guest));
        return names;
    }

    TempDir dir_;
    // K = 4 SEV and 2 SEV-ES slots. The node file runs 2 SEV guests (policy 0x0033)
    // and 1 SEV-ES guest (0x0037), only "sevd-web" carrying sevd's mark: 2 SEV free.
    LaunchHost host_{dir_, "sev 4\nsev_es 2\n"};
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<HostView> view_;
};

TEST_F(DaemonKill, RestartAfterSigkillMidLaunchAdmitsExactlyTheFreeSlots) {
    EXPECT_EQ(slots_of(view_->describe(), "amd-sev-es"), std::make_pair(2, 1));
    EXPECT_EQ(guest_names(), std::vector<std::string>{"sevd-web"});

    // 100 launches; SIGKILL as soon as the first is answered, with the rest in flight.
    Outcomes doomed;
    std::atomic<int> answered{0};
    std::thread flood([&] {
        doomed = launch_concurrently(bus_->address(), "doomed-", 100, host_.disk, &answered);
    });
    wait_until([&] { return answered.load() > 0; }, kSettle);
    EXPECT_TRUE(daemon_->process().stop(SIGKILL, 5s)) << "SIGKILL did not end the daemon";
    flood.join();
    daemon_.reset();
    std::printf("launches when SIGKILL came: %s\n", outcomes_text(doomed).c_str());

    // Restarted: the node file's 2 running SEV guests and nothing else (start_daemon
    // waits for SEV 4 total / 2 used), sevd-web still the only guest it marked.
    start_daemon();
    EXPECT_EQ(slots_of(view_->describe(), "amd-sev-es"), std::make_pair(2, 1));
    EXPECT_EQ(guest_names(), std::vector<std::string>{"sevd-web"});

    // 10 concurrent launches against 4 − 2 = 2 free SEV slots: exactly 2 start.
    const auto outcomes = launch_concurrently(bus_->address(), "after-", 10, host_.disk);
    EXPECT_EQ(outcomes, (Outcomes{{"ok", 2}, {kNoSlots, 8}})) << outcomes_text(outcomes);
    // (Host1's SevSlots cannot show them here: each connection to a test:// node-file
    // URI gets its own copy of the node file, so the probe's connection never sees the
    // launcher's domains; the launcher's ledger and Guests do.)
    EXPECT_EQ(guest_names().size(), 3u); // sevd-web and the two just launched

    // Killed again with the pool full, then restarted: back to the node file (2 used).
    ASSERT_TRUE(daemon_->process().stop(SIGKILL, 5s));
    daemon_.reset();
    start_daemon();
    const auto again = launch_concurrently(bus_->address(), "again-", 4, host_.disk);
    EXPECT_EQ(again, (Outcomes{{"ok", 2}, {kNoSlots, 2}})) << outcomes_text(again);
}

} // namespace
} // namespace sevd::test::faults
