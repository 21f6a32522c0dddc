// Faults around a real libvirtd (tests/support, QEMU driver, session mode):
// libvirtd killed and restarted under a running daemon, and the daemon killed
// with SIGKILL while launches are in flight. On this machine QEMU cannot run
// SEV, so every launch that passes sevd's admission is refused by libvirt
// after sevd reserved a slot: the tests check that such reservations never
// leak, across libvirtd and sevd restarts.
#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>

#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/faults/launch_faults.h"
#include "tests/support/libvirtd_instance.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/shared_libvirtd.h"

namespace sevd::test::faults {
namespace {

constexpr const char* kLibvirtError = "org.sevd.Error.Libvirt";

class LibvirtdFaults : public SharedLibvirtd<LibvirtdFaults> {
protected:
    void SetUp() override {
        SharedLibvirtd::SetUp();
        if (libvirtd_missing())
            return;
        bus_ = std::make_unique<PrivateBus>();
        start_daemon();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
        if (libvirtd_)
            libvirtd_->start(); // for the next test, if this one left it down
    }
    void start_daemon() {
        auto options = daemon_options(host_.root);
        options.libvirt_uri = libvirtd_->uri();
        options.config = host_.config;
        daemon_ = std::make_unique<SevdDaemon>(*bus_, options);
        host_view_ = std::make_unique<HostView>(bus_->address());
    }
    bool libvirt_available() {
        // Refresh makes the daemon's libvirt watcher read again now instead of at its
        // next periodic check.
        return host_view_->refreshed().at("libvirt").at("available") == true;
    }
    // Domains libvirtd holds: (active, defined in total).
    static std::pair<int, int> libvirt_domains() {
        std::string error;
        const auto conn = libvirt::open_read_only(libvirtd_->uri(), error);
        if (!conn) {
            ADD_FAILURE() << error;
            return {-1, -1};
        }
        return {virConnectListAllDomains(conn.get(), nullptr, VIR_CONNECT_LIST_DOMAINS_ACTIVE),
                virConnectListAllDomains(conn.get(), nullptr, 0)};
    }
    // Launches `count` guests one after the other; all must be refused by libvirt
    // (QEMU without SEV), none with NoSlots: a leaked reservation would show as NoSlots.
    void expect_only_libvirt_refusals(int count, const std::string& prefix) {
        const auto conn = connect_to(bus_->address());
        dbus::LauncherClient launcher(*conn);
        for (int i = 0; i < count; ++i)
            EXPECT_EQ(error_name_of([&] {
                          launcher.Launch(prefix + std::to_string(i), 256, 1, host_.disk, {});
                      }),
                      kLibvirtError)
                << "launch " << i << "; daemon log:\n"
                << daemon_->log();
        EXPECT_TRUE(launcher.Guests().empty());
    }

    TempDir dir_;
    // K = 1 SEV slot (misc.capacity caps CPUID's 410), used = running SEV domains (0).
    LaunchHost host_{dir_, "sev 1\nsev_es 1\n"};
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<HostView> host_view_;
};

TEST_F(LibvirtdFaults, LibvirtdKilledAndRestartedIsSeenAndLaunchesCarryOn) {
    ASSERT_TRUE(wait_until([&] { return libvirt_available(); }, kSettle)) << daemon_->log();
    EXPECT_EQ(host_view_->describe().at("ready"), true);

    ASSERT_EQ(kill(libvirtd_->pid(), SIGKILL), 0);
    libvirtd_->stop(); // reaps it
    ASSERT_TRUE(wait_until([&] { return !libvirt_available(); }, kSettle)) << daemon_->log();
    auto report = host_view_->describe();
    // An unreachable libvirt is a FAIL check: nothing is launchable.
    EXPECT_EQ(check_status(report, "libvirt.connection"), "fail");
    EXPECT_EQ(report.at("ready"), false);
    {
        const auto conn = connect_to(bus_->address());
        dbus::LauncherClient launcher(*conn);
        const auto refused =
            error_name_of([&] { launcher.Launch("while-down", 256, 1, host_.disk, {}); });
        EXPECT_EQ(refused.rfind("org.sevd.Error.", 0), 0u) << refused;
        std::printf("Launch while libvirtd is down: %s\n", refused.c_str());
    }

    libvirtd_->start();
    ASSERT_TRUE(wait_until([&] { return libvirt_available(); }, kSettle)) << daemon_->log();
    EXPECT_EQ(host_view_->describe().at("ready"), true);

    // Launcher1 works again: Plan builds the XML; with 1 slot, three launches in a
    // row each reach libvirt (and are refused there), so each released its slot.
    {
        const auto conn = connect_to(bus_->address());
        dbus::LauncherClient launcher(*conn);
        const auto xml = launcher.Plan("after-restart", 256, 1, host_.disk, {});
        EXPECT_NE(xml.find("<launchSecurity type=\"sev\">"), std::string::npos) << xml;
    }
    expect_only_libvirt_refusals(3, "after-restart-");
    EXPECT_EQ(slots_of(host_view_->refreshed(), "amd-sev"), std::make_pair(1, 0));
    EXPECT_EQ(libvirt_domains(), std::make_pair(0, 0)) << "a refused launch left a domain";
    EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();
}

// libvirt coming back is noticed in the background (README: the daemon re-probes
// "when libvirt comes or goes"), also after clients called Refresh while it was down.
TEST_F(LibvirtdFaults, LibvirtdBackIsNoticedWithoutRefreshAfterRefreshesWhileDown) {
    ASSERT_TRUE(wait_until([&] { return libvirt_available(); }, kSettle)) << daemon_->log();
    ASSERT_EQ(kill(libvirtd_->pid(), SIGKILL), 0);
    libvirtd_->stop();
    // A monitoring script asks for fresh readings while libvirtd is down.
    for (int i = 0; i < 10; ++i) {
        host_view_->refresh();
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(host_view_->describe().at("libvirt").at("available"), false);
    libvirtd_->start();
    // No Refresh from here on: only the background retries can notice it. Down for
    // about a second, so the first retries of the backoff (0.5 s, 1 s, 2 s, ...) do.
    EXPECT_TRUE(wait_until(
        [&] { return host_view_->describe().at("libvirt").at("available") == true; }, kSettle))
        << daemon_->log();
}

TEST_F(LibvirtdFaults, SevdKilledDuringLaunchesRestartsWithoutLeakedReservations) {
    ASSERT_TRUE(wait_until([&] { return libvirt_available(); }, kSettle)) << daemon_->log();
    // 100 launches; SIGKILL as soon as the first is answered, with the rest in flight:
    // their callers get an error (NoReply, ServiceUnknown or a refusal), never a hang.
    Outcomes killed;
    std::atomic<int> answered{0};
    std::thread flood([&] {
        killed = launch_concurrently(bus_->address(), "killed-", 100, host_.disk, &answered);
    });
    wait_until([&] { return answered.load() > 0; }, kSettle);
    EXPECT_TRUE(daemon_->process().stop(SIGKILL, 5s)) << "SIGKILL did not end the daemon";
    flood.join();
    daemon_.reset();
    std::printf("launches when SIGKILL came: %s\n", outcomes_text(killed).c_str());

    start_daemon();
    ASSERT_TRUE(wait_until([&] { return libvirt_available(); }, kSettle)) << daemon_->log();
    const auto [active, defined] = libvirt_domains();
    // Used slots are the encrypted domains really running in libvirtd.
    EXPECT_EQ(slots_of(host_view_->describe(), "amd-sev"), std::make_pair(1, active));
    // QEMU refuses SEV XML at define time here, so nothing can have been left defined.
    EXPECT_EQ(defined, 0);
    // The single slot is free: the new daemon admits and libvirt refuses, twice.
    expect_only_libvirt_refusals(2, "after-kill-");
}

} // namespace
} // namespace sevd::test::faults
