// The daemon as a process: one owner of the name, robust to clients that
// vanish, up without libvirt, clean on SIGTERM, reloading on SIGHUP, and
// Describe() equal to `sevd probe --json`.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dbus/host_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace sevd::test {
namespace {

const std::filesystem::path kRome = SEVD_FIXTURES_DIR "/rome-split-asids";

TEST(DaemonLifecycle, SecondInstanceFailsCleanlyWhileTheFirstKeepsServing) {
    PrivateBus bus;
    SevdDaemon first(bus, daemon_options(kRome));
    auto second_options = daemon_options(kRome);
    second_options.wait_for_name = false;
    SevdDaemon second(bus, second_options);
    const auto status = second.process().wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(status) << "the second instance kept running";
    EXPECT_EQ(*status, 1);
    EXPECT_NE(second.log().find("cannot own org.sevd.Host1"), std::string::npos) << second.log();
    EXPECT_NE(second.log().find("another sevd is running"), std::string::npos) << second.log();

    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    EXPECT_EQ(host.SevSlots(), (sdbus::Struct<uint32_t, uint32_t>{410, 3}));
    EXPECT_EQ(first.stop(), 0) << first.log();
}

TEST(DaemonLifecycle, ClientsThatDisconnectMidCallDoNotHurtTheDaemon) {
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(kRome));
    for (int i = 0; i < 50; ++i) {
        auto conn = connect_to(bus.address());
        auto proxy = sdbus::createProxy(*conn, "org.sevd.Host1", "/org/sevd/Host1");
        // Send and hang up before the reply arrives.
        proxy->callMethodAsync(i % 2 == 0 ? "Describe" : "Refresh")
            .onInterface("org.sevd.Host1")
            .uponReplyInvoke([](const sdbus::Error*) {});
    }
    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    EXPECT_FALSE(host.Describe().empty());
    EXPECT_FALSE(daemon.process().poll_exit()) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(DaemonLifecycle, WithLibvirtUnreachableItStillPublishesAndSaysSo) {
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(kRome));
    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    EXPECT_FALSE(host.libvirt().value("available", false));
    EXPECT_EQ(host.cpu()["sev_es"], true); // the rest of the report is there
    // The first background attempt lands within a moment; its error names the socket.
    std::string connection_check;
    for (int i = 0; i < 200 && connection_check.find("nonexistent") == std::string::npos; ++i) {
        const auto report = nlohmann::json::parse(host.Describe());
        for (const auto& check : report["checks"])
            if (check["id"] == "libvirt.connection")
                connection_check =
                    check["status"].get<std::string>() + ": " + check["message"].get<std::string>();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(connection_check.rfind("fail: cannot connect to", 0), 0u) << connection_check << "\n"
                                                                        << host.Describe();
    EXPECT_NE(connection_check.find("nonexistent"), std::string::npos) << connection_check;
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

// One answer everywhere: `sevd probe --json` with the daemon's configuration
// (here a slot cap of 7) equals Describe(), with a live libvirt given...
TEST(DaemonLifecycle, DescribeEqualsProbeJson) {
    TempDir dir;
    const auto config = dir.path() / "sevd.conf";
    write_file(config, "[guests]\nmax_encrypted_guests = 7\n");
    PrivateBus bus;
    auto options = daemon_options(kRome);
    options.libvirt_uri = "test:///default";
    options.config = config;
    SevdDaemon daemon(bus, options);
    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    // Wait for the background libvirt reading (test driver: connects at once).
    ASSERT_TRUE(wait_until([&] { return host.libvirt().value("available", false); },
                           std::chrono::seconds(2), std::chrono::milliseconds(10)))
        << daemon.log();
    const auto probe =
        run_command({kSevdBinary, "probe", "--json", "--root", kRome.string(), "--libvirt-uri",
                     "test:///default", "--config", config.string()});
    ASSERT_LE(probe.exit_code, 1) << probe.output;
    const auto describe = nlohmann::json::parse(host.Describe());
    EXPECT_EQ(describe, nlohmann::json::parse(probe.output));
    EXPECT_EQ(describe["slots"]["amd-sev"]["total"], 7); // the config's cap, in both
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

// ... and replaying the snapshot alone (no --libvirt-uri: libvirt as recorded).
TEST(DaemonLifecycle, DescribeEqualsProbeJsonReplayingTheSnapshot) {
    TempDir dir;
    const auto config = dir.path() / "sevd.conf";
    const auto disk = dir.path() / "images/disk.img";
    write_file(disk, "raw disk");
    write_file(config, "[libvirt]\nuri = qemu+unix:///system?socket=/nonexistent/sevd-sock\n"
                       "[guests]\nmax_encrypted_guests = 50\nimage_dirs = " +
                           (dir.path() / "images").string() + "\n");
    PrivateBus bus;
    auto options = daemon_options(kRome);
    options.libvirt_uri = "";
    options.config = config;
    SevdDaemon daemon(bus, options);
    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    const auto probe = run_command(
        {kSevdBinary, "probe", "--json", "--root", kRome.string(), "--config", config.string()});
    ASSERT_EQ(probe.exit_code, 0) << probe.output; // ready: the recorded libvirt answered
    const auto describe = nlohmann::json::parse(host.Describe());
    EXPECT_EQ(describe, nlohmann::json::parse(probe.output));
    EXPECT_EQ(describe["slots"]["amd-sev"]["total"], 50);
    EXPECT_EQ(describe["libvirt"]["available"], true); // the config's URI is not consulted
    // A replay has no libvirt to launch on: Launch refuses with Unsupported.
    const auto launch = run_command({kSevdctlBinary, "launch", "g1", "--memory", "512", "--vcpus",
                                     "1", "--disk", disk.string()},
                                    bus.env());
    EXPECT_EQ(launch.exit_code, 1) << launch.output;
    EXPECT_NE(launch.output.find("replays the snapshot"), std::string::npos) << launch.output;
    EXPECT_NE(launch.output.find("--libvirt-uri"), std::string::npos) << launch.output;
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

// SEV-SNP through the daemon: Plan builds <launchSecurity type='sev-snp'> where
// libvirt lists it, and refuses naming libvirt 10.5 where it does not (the
// snapshots' domain capabilities, running guests from the test driver).
TEST(DaemonLifecycle, PlanForSevSnpFollowsLibvirtsCapabilities) {
    TempDir dir;
    const auto disk = dir.path() / "images/disk.img";
    write_file(disk, "raw disk");
    const auto config = dir.path() / "sevd.conf";
    write_file(config, "[guests]\nimage_dirs = " + (dir.path() / "images").string() + "\n");
    const std::vector<std::string> plan = {kSevdctlBinary,
                                           "launch",
                                           "snp1",
                                           "--memory",
                                           "1024",
                                           "--vcpus",
                                           "1",
                                           "--disk",
                                           disk.string(),
                                           "--property",
                                           "hw_mem_encryption_model=amd-sev-snp",
                                           "--print-xml"};
    for (const std::string host : {"genoa-snp-on", "genoa-snp-on-libvirt9"}) {
        PrivateBus bus;
        auto options = daemon_options(std::filesystem::path(SEVD_FIXTURES_DIR) / host);
        options.libvirt_uri = "test:///default";
        options.config = config;
        SevdDaemon daemon(bus, options);
        auto conn = connect_to(bus.address());
        dbus::HostClient host_client(*conn);
        ASSERT_TRUE(wait_until([&] { return host_client.libvirt().value("available", false); },
                               std::chrono::seconds(10), std::chrono::milliseconds(10)))
            << daemon.log();
        const auto r = run_command(plan, bus.env());
        if (host == "genoa-snp-on") {
            EXPECT_EQ(r.exit_code, 0) << r.output;
            EXPECT_NE(r.output.find("<launchSecurity type=\"sev-snp\">"), std::string::npos)
                << r.output;
            EXPECT_NE(r.output.find("<policy>0x00030000</policy>"), std::string::npos) << r.output;
            EXPECT_EQ(host_client.SevSnpSlots(), (sdbus::Struct<uint32_t, uint32_t>{252, 1}));
        } else {
            EXPECT_EQ(r.exit_code, 1) << r.output;
            EXPECT_NE(r.output.find("libvirt 10.5"), std::string::npos) << r.output;
        }
        EXPECT_EQ(daemon.stop(), 0) << daemon.log();
    }
}

TEST(DaemonLifecycle, SigintExitsCleanly) {
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(kRome));
    EXPECT_EQ(daemon.process().stop(SIGINT, std::chrono::seconds(10)), 0) << daemon.log();
}

TEST(DaemonLifecycle, SighupReloadsTheConfigAndAnnouncesTheNewCap) {
    TempDir dir;
    const auto config = dir.path() / "sevd.conf";
    write_file(config, "");
    PrivateBus bus;
    auto options = daemon_options(kRome);
    options.config = config;
    SevdDaemon daemon(bus, options);
    PropertiesChangedRecorder recorder(bus.address(), "org.sevd.Host1", "/org/sevd/Host1");

    write_file(config, "[guests]\nmax_encrypted_guests = 8\n");
    kill(daemon.pid(), SIGHUP);
    const auto change = recorder.wait_for("SevSlots", std::chrono::seconds(10));
    ASSERT_TRUE(change) << daemon.log();
    // The config cap of 8 caps the 410 usable SEV ASIDs; 3 stay used (misc.current).
    using Slots = sdbus::Struct<uint32_t, uint32_t>;
    EXPECT_EQ(change->changed.at("SevSlots").get<Slots>(), (Slots{8, 3}));
    EXPECT_NE(daemon.log().find("reloaded"), std::string::npos) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

TEST(DaemonLifecycle, ABadConfigAtStartExitsWithCodeTwoNamingTheKey) {
    TempDir dir;
    const auto config = dir.path() / "sevd.conf";
    write_file(config, "[memory]\nreserved_host_memory_mb = lots\n");
    PrivateBus bus;
    auto options = daemon_options(kRome);
    options.config = config;
    options.wait_for_name = false;
    SevdDaemon daemon(bus, options);
    const auto status = daemon.process().wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(status);
    EXPECT_EQ(*status, 2);
    EXPECT_NE(daemon.log().find("reserved_host_memory_mb"), std::string::npos) << daemon.log();
}

// Under systemd: READY=1 on $NOTIFY_SOCKET once the name is owned (what
// Type=notify units wait for; harmless with Type=dbus), STOPPING=1 on SIGTERM.
TEST(DaemonLifecycle, NotifiesReadinessAndStoppingToSystemd) {
    TempDir dir;
    const auto socket_path = dir.path() / "notify";
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const auto next_message = [fd] {
        pollfd pfd{fd, POLLIN, 0};
        if (poll(&pfd, 1, 10'000) <= 0)
            return std::string("(nothing within 10 s)");
        char buf[512];
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    };

    PrivateBus bus;
    TempDir config_dir;
    write_file(config_dir.path() / "sevd.conf", "");
    ChildOptions child;
    child.env = bus.env();
    child.env["NOTIFY_SOCKET"] = socket_path.string();
    child.output_file = config_dir.path() / "sevd.log";
    ChildProcess sevd({kSevdBinary, "serve", "--root", kRome.string(), "--libvirt-uri",
                       kUnreachableLibvirt, "--config", (config_dir.path() / "sevd.conf").string()},
                      child);
    const std::string ready = next_message();
    EXPECT_NE(ready.find("READY=1"), std::string::npos) << ready;
    EXPECT_TRUE(wait_for_bus_name(bus.address(), "org.sevd.Host1", std::chrono::seconds(1)))
        << "READY=1 came before the name was owned";
    EXPECT_EQ(sevd.stop(SIGTERM, std::chrono::seconds(10)), 0);
    const std::string stopping = next_message();
    EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
    close(fd);
}

} // namespace
} // namespace sevd::test
