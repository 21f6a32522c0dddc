// polkit as the daemon's authority (DESIGN.md "Authorization"), against the
// real polkitd on the private system bus, with the shipped actions file
// (units/org.sevd.policy) and bus policy (units/org.sevd.Host1.conf).
//
// The caller is uid nobody with supplementary group sevd (setpriv), so the
// shipped bus policy lets it reach Launcher1 and Tuning1 and the daemon's own
// check decides. Both actions default to auth_admin; with no authentication
// agent and no interaction allowed, polkit answers "not authorized". A
// JavaScript rule granting an action to nobody makes polkit answer yes for
// that action only. uid 0 is authorized by polkit itself, without a rule.
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "dbus/host_client.h"
#include "tests/integration/cgroups/cgroup_state_guard.h"
#include "tests/support/bus_client.h"
#include "tests/support/child_process.h"
#include "tests/support/polkitd_instance.h"
#include "tests/support/private_bus.h"
#include "tests/support/scoped_group.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

const std::filesystem::path kRome = SEVD_FIXTURES_DIR "/rome-split-asids";
const std::filesystem::path kActions = SEVD_SOURCE_DIR "/units/org.sevd.policy";
const std::filesystem::path kShippedRule = SEVD_SOURCE_DIR "/units/50-sevd.rules";
const std::filesystem::path kMemoryHierarchy = "/sys/fs/cgroup/memory";
constexpr const char* kAccessDenied = "org.freedesktop.DBus.Error.AccessDenied";
constexpr const char* kLaunchDeniedByPolkit = "not authorized for org.sevd.launch by polkit";
constexpr const char* kTuneDeniedByPolkit = "not authorized for org.sevd.tune by polkit";

// A polkit rule that says yes to `action` for user nobody and has no opinion otherwise.
std::string grant_to_nobody(const std::string& action) {
    return "polkit.addRule(function(action, subject) {\n"
           "    if (action.id == \"" +
           action +
           "\" && subject.user == \"nobody\")\n"
           "        return polkit.Result.YES;\n"
           "});\n";
}

// Makes `user` a member of `group` in /etc/group (gpasswd) for the object's
// lifetime, unless it already was.
class ScopedGroupMembership {
public:
    ScopedGroupMembership(std::string user, std::string group)
        : user_(std::move(user)), group_(std::move(group)) {
        const auto added = run_command({"gpasswd", "--add", user_, group_});
        added_ = added.exit_code == 0;
        if (!added_)
            throw std::runtime_error("gpasswd --add " + user_ + " " + group_ + ": " + added.output);
    }
    ~ScopedGroupMembership() {
        if (added_)
            run_command({"gpasswd", "--delete", user_, group_});
    }
    ScopedGroupMembership(const ScopedGroupMembership&) = delete;
    ScopedGroupMembership& operator=(const ScopedGroupMembership&) = delete;

private:
    std::string user_;
    std::string group_;
    bool added_ = false;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool denied(const CommandResult& r) {
    return r.exit_code != 0 && r.output.find(kAccessDenied) != std::string::npos;
}

class PolkitAuthorization : public ::testing::Test {
protected:
    void SetUp() override {
        if (const auto reason = polkitd_unavailable_reason())
            GTEST_SKIP() << *reason;
        start({kActions});
    }
    void start(const std::vector<std::filesystem::path>& action_files) {
        // Before the bus: dbus-daemon resolves group names when it loads its policy.
        sevd_group_ = std::make_unique<ScopedGroup>("sevd");
        auto setup = launch_setup(dir_, kRome);
        disk_ = setup.disk;
        bus_ = std::make_unique<PrivateBus>(kPolkitBusPolicy);
        polkitd_ = std::make_unique<PolkitdInstance>(*bus_, action_files);
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
        // Launcher1 answers once the daemon has read libvirt (the test driver), in the background.
        auto conn = connect_to(bus_->address());
        dbus::HostClient host(*conn);
        for (int i = 0; i < 500 && !host.Ready(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_TRUE(host.Ready()) << daemon_->log();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }

    // dbus-send, since it prints the error name (busctl does not).
    std::vector<std::string> dbus_send(const std::string& path, const std::string& method,
                                       const std::vector<std::string>& arguments = {}) const {
        std::vector<std::string> argv = {
            "dbus-send", "--bus=" + bus_->address(), "--print-reply", "--dest=org.sevd.Host1", path,
            method};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        return argv;
    }
    // uid nobody, gid nogroup, supplementary group sevd only (not a member in
    // /etc/group: dbus-daemon takes the groups from the socket, SO_PEERGROUPS).
    CommandResult as_sevd_member(const std::vector<std::string>& command) const {
        std::vector<std::string> argv = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                         "--groups=" + std::to_string(sevd_group_->gid())};
        argv.insert(argv.end(), command.begin(), command.end());
        return run_command(argv);
    }
    std::vector<std::string> launch(const std::string& name) const {
        return dbus_send(
            "/org/sevd/Launcher1", "org.sevd.Launcher1.Launch",
            {"string:" + name, "uint64:512", "uint32:1", "string:" + disk_, "dict:string:string:"});
    }
    std::vector<std::string> stop(const std::string& name) const {
        return dbus_send("/org/sevd/Launcher1", "org.sevd.Launcher1.Stop", {"string:" + name});
    }
    std::vector<std::string> apply() const {
        return dbus_send("/org/sevd/Tuning1", "org.sevd.Tuning1.Apply");
    }
    std::string logs() const {
        return "daemon:\n" + daemon_->log() + "polkitd:\n" + polkitd_->log();
    }

    std::unique_ptr<ScopedGroup> sevd_group_;
    TempDir dir_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<PolkitdInstance> polkitd_;
    std::unique_ptr<SevdDaemon> daemon_;
};

TEST_F(PolkitAuthorization, WithoutARuleASevdMemberIsDeniedByPolkit) {
    const auto launched = as_sevd_member(launch("no-grant"));
    EXPECT_TRUE(denied(launched)) << launched.output;
    EXPECT_NE(launched.output.find(kLaunchDeniedByPolkit), std::string::npos) << launched.output;

    const auto stopped = as_sevd_member(stop("no-grant"));
    EXPECT_TRUE(denied(stopped)) << stopped.output;
    EXPECT_NE(stopped.output.find(kLaunchDeniedByPolkit), std::string::npos) << stopped.output;

    const auto applied = as_sevd_member(apply());
    EXPECT_TRUE(denied(applied)) << applied.output;
    EXPECT_NE(applied.output.find(kTuneDeniedByPolkit), std::string::npos) << applied.output;

    EXPECT_NE(daemon_->log().find(kLaunchDeniedByPolkit), std::string::npos) << logs();
}

TEST_F(PolkitAuthorization, ARuleGrantingLaunchAuthorizesLaunchAndStopOnly) {
    polkitd_->add_rule("50-sevd-test-launch.rules", grant_to_nobody("org.sevd.launch"));

    const auto launched = as_sevd_member(launch("granted"));
    ASSERT_EQ(launched.exit_code, 0) << launched.output << logs();
    // dbus-send prints the reply as: string "<36-character uuid>"
    EXPECT_NE(launched.output.find("string \""), std::string::npos) << launched.output;
    const auto stopped = as_sevd_member(stop("granted"));
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output << logs();

    // The rule names org.sevd.launch only: org.sevd.tune is still auth_admin.
    const auto applied = as_sevd_member(apply());
    EXPECT_TRUE(denied(applied)) << applied.output;
    EXPECT_NE(applied.output.find(kTuneDeniedByPolkit), std::string::npos) << applied.output;
}

TEST_F(PolkitAuthorization, RemovingTheRuleDeniesTheNextCall) {
    polkitd_->add_rule("50-sevd-test-launch.rules", grant_to_nobody("org.sevd.launch"));
    const auto allowed = as_sevd_member(stop("never-launched"));
    EXPECT_FALSE(denied(allowed)) << allowed.output << logs();

    // The daemon asks polkit on every call: nothing of the earlier yes is kept.
    polkitd_->remove_rule("50-sevd-test-launch.rules");
    const auto refused = as_sevd_member(stop("never-launched"));
    EXPECT_TRUE(denied(refused)) << refused.output;
    EXPECT_NE(refused.output.find(kLaunchDeniedByPolkit), std::string::npos) << refused.output;
}

TEST_F(PolkitAuthorization, ARuleGrantingTuneAuthorizesApplyOnly) {
    CgroupStateGuard guard(kMemoryHierarchy / "machine.slice", "memory.limit_in_bytes");
    polkitd_->add_rule("50-sevd-test-tune.rules", grant_to_nobody("org.sevd.tune"));

    // Authorized; then refused because this daemon serves a snapshot (--root),
    // which never writes this host (tests/system/ applies on a booted box).
    const auto applied = as_sevd_member(apply());
    EXPECT_FALSE(denied(applied)) << applied.output << logs();
    EXPECT_NE(applied.output.find("org.sevd.Error.Unsupported"), std::string::npos)
        << applied.output << logs();

    const auto launched = as_sevd_member(launch("tune-only"));
    EXPECT_TRUE(denied(launched)) << launched.output;
    EXPECT_NE(launched.output.find(kLaunchDeniedByPolkit), std::string::npos) << launched.output;
}

TEST_F(PolkitAuthorization, TheShippedRuleAuthorizesRealMembersOfGroupSevdOnly) {
    // units/50-sevd.rules asks polkit subject.isInGroup("sevd"), which polkit
    // answers from the user database (/etc/group), not from the caller's
    // socket groups: the same caller is refused until nobody is a member.
    polkitd_->add_rule("50-sevd.rules", read_file(kShippedRule));
    const auto before = as_sevd_member(stop("never-launched"));
    EXPECT_TRUE(denied(before)) << before.output << logs();
    EXPECT_NE(before.output.find(kLaunchDeniedByPolkit), std::string::npos) << before.output;

    const ScopedGroupMembership member("nobody", "sevd");
    const auto launched = as_sevd_member(launch("member"));
    ASSERT_EQ(launched.exit_code, 0) << launched.output << logs();
    const auto stopped = as_sevd_member(stop("member"));
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output << logs();
}

TEST_F(PolkitAuthorization, RootIsAuthorizedByPolkitWithoutARule) {
    CgroupStateGuard guard(kMemoryHierarchy / "machine.slice", "memory.limit_in_bytes");
    const auto launched = run_command(launch("by-root"));
    ASSERT_EQ(launched.exit_code, 0) << launched.output << logs();
    const auto stopped = run_command(stop("by-root"));
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output << logs();
    const auto applied = run_command(apply());
    EXPECT_FALSE(denied(applied)) << applied.output << logs();
}

// polkitd without org.sevd.policy: CheckAuthorization fails ("Action ... is
// not registered", before polkit's uid 0 shortcut) and the daemon fails
// closed, for root too, saying why and what is missing.
class PolkitWithoutActions : public PolkitAuthorization {
protected:
    void SetUp() override {
        if (const auto reason = polkitd_unavailable_reason())
            GTEST_SKIP() << *reason;
        start({});
    }
};

TEST_F(PolkitWithoutActions, EvenRootIsDeniedWhenTheActionIsNotInstalled) {
    const auto launched = run_command(launch("unregistered"));
    EXPECT_TRUE(denied(launched)) << launched.output << logs();
    EXPECT_NE(launched.output.find("not authorized for org.sevd.launch: polkit could not check it "
                                   "(Action org.sevd.launch is not registered"),
              std::string::npos)
        << launched.output;
    EXPECT_NE(launched.output.find("is org.sevd.policy installed"), std::string::npos)
        << launched.output;
    EXPECT_NE(daemon_->log().find("Action org.sevd.launch is not registered"), std::string::npos)
        << logs();
}

} // namespace
} // namespace sevd::test
