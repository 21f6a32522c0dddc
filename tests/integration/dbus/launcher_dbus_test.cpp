// Launcher1 end to end: the real daemon on a private bus, a SEV-ES-capable
// fixture snapshot, and libvirt's test driver (test:///default) inside the
// daemon. The snapshot has no misc.current, so the daemon counts used slots
// from the running domains' <launchSecurity> policy (bit 2 = SEV-ES): the
// Host1 slot properties therefore show what policy the running domains have.
#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "dbus/host_client.h"
#include "dbus/launcher_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

using Slots = sdbus::Struct<uint32_t, uint32_t>;
using Properties = std::map<std::string, std::string>;

class LauncherDbus : public ::testing::Test {
protected:
    void SetUp() override {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        root_ = setup.root;
        disk_ = setup.disk;
        // K = 4 SEV and 2 SEV-ES slots: misc.capacity caps the CPUID pools (410, 99).
        write_file(root_ / "sys/fs/cgroup/misc.capacity", "sev 4\nsev_es 2\n");
        std::filesystem::remove(root_ / "sys/fs/cgroup/misc.current");

        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
        conn_ = connect_to(bus_->address());
        host_ = std::make_unique<dbus::HostClient>(*conn_);
        for (int i = 0; i < 500 && !host_->Ready(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_TRUE(host_->Ready()) << daemon_->log();
    }
    void TearDown() override {
        host_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    // Waits until the Host1 property equals `want` (the daemon re-reads libvirt
    // after each launch or stop, in the background).
    Slots wait_slots(const std::string& property, Slots want) {
        Slots got;
        for (int i = 0; i < 500; ++i) {
            got = property == "SevSlots" ? host_->SevSlots() : host_->SevEsSlots();
            if (got == want)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return got;
    }

    TempDir dir_;
    std::filesystem::path root_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<dbus::HostClient> host_;
};

struct Signals {
    std::mutex mutex;
    std::vector<std::string> events;
    void add(std::string e) {
        std::lock_guard lock(mutex);
        events.push_back(std::move(e));
    }
    bool wait_for(const std::string& e) {
        for (int i = 0; i < 500; ++i) {
            {
                std::lock_guard lock(mutex);
                if (std::find(events.begin(), events.end(), e) != events.end())
                    return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
};

TEST_F(LauncherDbus, SevAndSevEsLaunchesRunWithTheirPolicyAndStopRemovesThem) {
    Signals signals;
    auto listen = connect_to(bus_->address());
    dbus::LauncherClient watcher(
        *listen,
        [&](const std::string& n, const std::string& u, const std::string& m) {
            signals.add("launched " + n + " " + u + " " + m);
        },
        [&](const std::string& n, const std::string& u) { signals.add("stopped " + n + " " + u); });
    listen->enterEventLoopAsync();

    dbus::LauncherClient launcher(*conn_);
    const auto sev_xml = launcher.Plan("enc-sev", 512, 2, disk_, {});
    EXPECT_NE(sev_xml.find("<policy>0x0033</policy>"), std::string::npos) << sev_xml;
    const Properties es{{"hw_mem_encryption_model", "amd-sev-es"}};
    const auto es_xml = launcher.Plan("enc-es", 512, 2, disk_, es);
    EXPECT_NE(es_xml.find("<policy>0x0037</policy>"), std::string::npos) << es_xml;

    const auto sev_uuid = launcher.Launch("enc-sev", 512, 2, disk_, {});
    const auto es_uuid = launcher.Launch("enc-es", 512, 2, disk_, es);
    EXPECT_EQ(sev_uuid.size(), 36u);
    EXPECT_TRUE(signals.wait_for("launched enc-sev " + sev_uuid + " amd-sev"));
    EXPECT_TRUE(signals.wait_for("launched enc-es " + es_uuid + " amd-sev-es"));
    // One running domain with policy 0x0033 and one with 0x0037 (bit 2): 1 of 4, 1 of 2.
    EXPECT_EQ(wait_slots("SevSlots", {4, 1}), (Slots{4, 1}));
    EXPECT_EQ(wait_slots("SevEsSlots", {2, 1}), (Slots{2, 1}));
    EXPECT_EQ(launcher.Guests().size(), 2u);

    launcher.Stop("enc-sev");
    EXPECT_TRUE(signals.wait_for("stopped enc-sev " + sev_uuid));
    const auto guests = launcher.Guests();
    ASSERT_EQ(guests.size(), 1u);
    EXPECT_EQ(std::get<0>(guests[0]), "enc-es");
    EXPECT_EQ(std::get<2>(guests[0]), "amd-sev-es");
    EXPECT_EQ(wait_slots("SevSlots", {4, 0}), (Slots{4, 0}));
    listen->leaveEventLoop();
}

TEST_F(LauncherDbus, ConcurrentLaunchesAgainstFourFreeSlotsExactlyFourSucceed) {
    constexpr int kCalls = 10;
    std::atomic<int> launched{0};
    std::atomic<int> no_slots{0};
    std::vector<std::string> other_errors(kCalls);
    std::vector<std::thread> callers;
    for (int i = 0; i < kCalls; ++i) {
        callers.emplace_back([&, i] {
            auto conn = connect_to(bus_->address());
            dbus::LauncherClient launcher(*conn);
            try {
                launcher.Launch("race-" + std::to_string(i), 256, 1, disk_, {});
                ++launched;
            } catch (const sdbus::Error& e) {
                if (e.getName() == "org.sevd.Error.NoSlots")
                    ++no_slots;
                else
                    other_errors[static_cast<size_t>(i)] = e.getName() + ": " + e.getMessage();
            }
        });
    }
    for (auto& t : callers)
        t.join();
    for (const auto& e : other_errors)
        EXPECT_EQ(e, "");
    // misc.capacity "sev 4", nothing running: 4 free SEV slots.
    EXPECT_EQ(launched.load(), 4);
    EXPECT_EQ(no_slots.load(), kCalls - 4);
    EXPECT_EQ(wait_slots("SevSlots", {4, 4}), (Slots{4, 4}));
}

TEST_F(LauncherDbus, RefusalsArriveAsNamedErrors) {
    dbus::LauncherClient launcher(*conn_);
    const auto error_name = [&](const Properties& props, const std::string& name = "refused") {
        try {
            launcher.Launch(name, 512, 2, disk_, props);
        } catch (const sdbus::Error& e) {
            return e.getName();
        }
        return std::string("launched");
    };
    EXPECT_EQ(error_name({{"hw_machine_type", "pc"}}), "org.sevd.Error.InvalidArgument");
    EXPECT_EQ(error_name({{"hw:mem_encryption_model", "amd-sev"},
                          {"hw_mem_encryption_model", "amd-sev-es"}}),
              "org.sevd.Error.Conflict");
    EXPECT_EQ(error_name({{"no_such_key", "1"}}), "org.sevd.Error.InvalidArgument");
    EXPECT_EQ(error_name({}, "bad name!"), "org.sevd.Error.InvalidArgument");
    EXPECT_TRUE(launcher.Guests().empty());
}

TEST_F(LauncherDbus, SevdctlLaunchGuestsStop) {
    const auto env = bus_->env();
    const auto plan = run_command({kSevdctlBinary, "launch", "ctl-1", "--memory", "512", "--vcpus",
                                   "1", "--disk", disk_, "--print-xml"},
                                  env);
    ASSERT_EQ(plan.exit_code, 0) << plan.output;
    EXPECT_NE(plan.output.find("<launchSecurity type=\"sev\">"), std::string::npos) << plan.output;

    const auto launch =
        run_command({kSevdctlBinary, "launch", "ctl-1", "--memory", "512", "--vcpus", "1", "--disk",
                     disk_, "--property", "hw_mem_encryption_model=amd-sev-es"},
                    env);
    ASSERT_EQ(launch.exit_code, 0) << launch.output;
    EXPECT_EQ(launch.output.rfind("launched ctl-1 (uuid ", 0), 0u) << launch.output;

    const auto guests = run_command({kSevdctlBinary, "guests", "--json"}, env);
    ASSERT_EQ(guests.exit_code, 0) << guests.output;
    EXPECT_NE(guests.output.find("\"amd-sev-es\""), std::string::npos) << guests.output;

    const auto refused =
        run_command({kSevdctlBinary, "launch", "ctl-2", "--memory", "512", "--vcpus", "1", "--disk",
                     disk_, "--property", "hw_firmware_type=bios"},
                    env);
    EXPECT_EQ(refused.exit_code, 1) << refused.output;

    const auto stop = run_command({kSevdctlBinary, "stop", "ctl-1"}, env);
    EXPECT_EQ(stop.exit_code, 0) << stop.output;
    const auto none = run_command({kSevdctlBinary, "guests"}, env);
    EXPECT_NE(none.output.find("no guests"), std::string::npos) << none.output;
}

// The caller hangs up right after sending Launch. Depending on the race the
// daemon either refuses it (the caller's uid can no longer be asked from the
// bus) or launches it and finds nobody to reply to; either way it keeps
// serving and leaks no reservation: all 4 slots can be used afterwards.
TEST_F(LauncherDbus, ACallerThatHangsUpMidLaunchDoesNotHurtTheDaemon) {
    {
        auto gone = connect_to(bus_->address());
        auto proxy = sdbus::createProxy(*gone, "org.sevd.Host1", "/org/sevd/Launcher1");
        proxy->callMethodAsync("Launch")
            .onInterface("org.sevd.Launcher1")
            .withArguments(std::string("orphan"), uint64_t{512}, uint32_t{1}, disk_, Properties{})
            .uponReplyInvoke([](const sdbus::Error*) {});
    } // disconnected before the reply
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    dbus::LauncherClient launcher(*conn_);
    for (const auto& guest : launcher.Guests())
        if (std::get<0>(guest) == "orphan")
            launcher.Stop("orphan");
    for (int i = 1; i <= 4; ++i)
        EXPECT_NO_THROW(launcher.Launch("after-" + std::to_string(i), 256, 1, disk_, {}));
    EXPECT_EQ(launcher.Guests().size(), 4u);
    EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();
}

} // namespace
} // namespace sevd::test
