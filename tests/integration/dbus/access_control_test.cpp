// The shipped bus policy plus the daemon's own check, seen by an unprivileged
// uid (setpriv --reuid=nobody): Host1 is open, Launcher1/Tuning1 are not.
#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"

namespace sevd::test {
namespace {

const std::filesystem::path kRome = SEVD_FIXTURES_DIR "/rome-split-asids";
constexpr const char* kAccessDenied = "org.freedesktop.DBus.Error.AccessDenied";

class AccessControl : public ::testing::Test {
protected:
    void start(const std::string& extra_policy = "") {
        bus_ = std::make_unique<PrivateBus>(extra_policy);
        daemon_ = std::make_unique<SevdDaemon>(*bus_, daemon_options(kRome));
    }
    CommandResult busctl_as_nobody(std::vector<std::string> args) {
        args.insert(args.begin(), {"busctl", "--address=" + bus_->address()});
        return run_command(as_nobody(args));
    }
    // dbus-send prints the error name, which busctl does not.
    CommandResult dbus_send_as_nobody(const std::string& path, const std::string& method) {
        return run_command(as_nobody({"dbus-send", "--bus=" + bus_->address(), "--print-reply",
                                      "--dest=org.sevd.Host1", path, method}));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }

    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
};

TEST_F(AccessControl, NobodyCanIntrospectHost1) {
    start();
    const auto r = busctl_as_nobody({"introspect", "org.sevd.Host1", "/org/sevd/Host1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(".Describe"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(".SevSlots"), std::string::npos) << r.output;
}

TEST_F(AccessControl, NobodyCanGetReadyAndSlots) {
    start();
    const auto r = busctl_as_nobody({"get-property", "org.sevd.Host1", "/org/sevd/Host1",
                                     "org.sevd.Host1", "Ready", "SevSlots"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // rome-split-asids: CPUID ECX 509, EDX 100 → SEV ASIDs 100..509 = 410 (also misc.capacity
    // and libvirt maxGuests 410); misc.current "sev 3" → 3 used. libvirt is unreachable, so
    // no model is launchable: Ready false.
    EXPECT_EQ(r.output, "b false\n(uu) 410 3\n");
}

TEST_F(AccessControl, NobodyCanCallDescribe) {
    start();
    const auto r = busctl_as_nobody(
        {"call", "org.sevd.Host1", "/org/sevd/Host1", "org.sevd.Host1", "Describe"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("\\\"ready\\\""), std::string::npos) << r.output;
}

TEST_F(AccessControl, BusPolicyDeniesNobodyLauncher1) {
    start();
    const auto r = dbus_send_as_nobody("/org/sevd/Launcher1", "org.sevd.Launcher1.Stop");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find(kAccessDenied), std::string::npos) << r.output;
}

TEST_F(AccessControl, BusPolicyDeniesNobodyTuning1) {
    start();
    const auto r = dbus_send_as_nobody("/org/sevd/Tuning1", "org.sevd.Tuning1.Apply");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find(kAccessDenied), std::string::npos) << r.output;
    // Denied by the bus, before the daemon saw it.
    EXPECT_NE(r.output.find("Rejected send message"), std::string::npos) << r.output;
}

// A bus policy that wrongly lets nobody through: the daemon's own check
// (no polkit on this bus → uid 0 or group sevd) still refuses.
constexpr const char* kLetNobodyThrough = R"(
  <policy user="nobody">
    <allow send_destination="org.sevd.Host1" send_interface="org.sevd.Launcher1"/>
    <allow send_destination="org.sevd.Host1" send_interface="org.sevd.Tuning1"/>
  </policy>)";

TEST_F(AccessControl, DaemonRefusesNobodyTuning1EvenWhenTheBusLetsItThrough) {
    start(kLetNobodyThrough);
    const auto r = dbus_send_as_nobody("/org/sevd/Tuning1", "org.sevd.Tuning1.Apply");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find(kAccessDenied), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not authorized for org.sevd.tune"), std::string::npos) << r.output;
}

TEST_F(AccessControl, DaemonRefusesNobodyLauncher1EvenWhenTheBusLetsItThrough) {
    start(kLetNobodyThrough);
    const auto r = run_command(as_nobody({"dbus-send", "--bus=" + bus_->address(), "--print-reply",
                                          "--dest=org.sevd.Host1", "/org/sevd/Launcher1",
                                          "org.sevd.Launcher1.Stop", "string:nope"}));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find(kAccessDenied), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not authorized for org.sevd.launch"), std::string::npos) << r.output;
}

// The activation file installs into a <servicedir>; the bus must accept it
// and offer org.sevd.Host1 for activation (activation itself needs systemd).
TEST(DbusActivation, TheActivationFileIsAcceptedByDbusDaemon) {
    const std::string dir = SEVD_BINARY_DIR "/units";
    ASSERT_TRUE(std::filesystem::exists(dir + "/org.sevd.Host1.service"));
    PrivateBus bus("<servicedir>" + dir + "</servicedir>");
    const auto r = run_command(
        {"busctl", "--address=" + bus.address(), "--activatable", "list", "--no-legend"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("org.sevd.Host1"), std::string::npos) << r.output;
}

} // namespace
} // namespace sevd::test
