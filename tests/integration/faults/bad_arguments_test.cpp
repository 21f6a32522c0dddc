// Fault: calls with the wrong signature (raw messages and busctl) and
// oversized arguments (a 1 MiB name, 10,000 property entries, a 1 MiB disk
// path, a 1 MiB property value). Each gets a named error, nothing is
// launched, and the daemon keeps serving.
#include <gtest/gtest.h>

#include "dbus/launcher_client.h"
#include "tests/integration/faults/fault_harness.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test::faults {
namespace {

constexpr const char* kInvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
constexpr const char* kInvalidArgument = "org.sevd.Error.InvalidArgument";
constexpr size_t kMiB = 1024 * 1024;
using Properties = std::map<std::string, std::string>;

class BadArguments : public testing::Test {
protected:
    void SetUp() override {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        root_ = setup.root;
        disk_ = setup.disk;
        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
        conn_ = connect_to(bus_->address());
        raw_ = sdbus::createProxy(*conn_, kHostName, kLauncherPath);
        raw_->finishRegistration();
        launcher_ = std::make_unique<dbus::LauncherClient>(*conn_);
        host_ = std::make_unique<HostView>(bus_->address());
        ASSERT_TRUE(wait_until([&] { return host_->describe().at("ready") == true; }, kSettle))
            << daemon_->log();
    }
    void TearDown() override {
        launcher_.reset();
        raw_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    // The daemon still answers and launched nothing.
    void expect_serving() {
        ASSERT_FALSE(daemon_->process().poll_exit()) << daemon_->log();
        EXPECT_NO_THROW(host_->describe());
        EXPECT_TRUE(launcher_->Guests().empty());
    }
    std::string raw_launch(const std::function<void(sdbus::MethodCall&)>& fill,
                           const char* method = "Launch") {
        auto call = raw_->createMethodCall(kLauncherInterface, method);
        fill(call);
        return error_name_of([&] { raw_->callMethod(call); });
    }
    // The error name; the message must stay short (it cuts long values, never
    // echoing a megabyte back).
    std::string launch(const std::string& name, const std::string& disk,
                       const Properties& properties) {
        try {
            launcher_->Launch(name, 512, 1, disk, properties);
        } catch (const sdbus::Error& e) {
            EXPECT_LT(e.getMessage().size(), 1024u) << e.getMessage().substr(0, 200);
            return e.getName();
        }
        return "ok";
    }

    TempDir dir_;
    std::filesystem::path root_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<sdbus::IProxy> raw_;
    std::unique_ptr<dbus::LauncherClient> launcher_;
    std::unique_ptr<HostView> host_;
};

TEST_F(BadArguments, WrongSignaturesAreInvalidArgs) {
    // Launch is (s name, t memory_mib, u vcpus, s disk, a{ss} properties).
    EXPECT_EQ(raw_launch([](sdbus::MethodCall&) {}), kInvalidArgs) << "no arguments";
    EXPECT_EQ(raw_launch([](sdbus::MethodCall& m) { m << int32_t{5} << std::string("x"); }),
              kInvalidArgs);
    EXPECT_EQ(raw_launch([&](sdbus::MethodCall& m) {
                  // memory as a string, vcpus as a double
                  m << std::string("g") << std::string("512") << 1.0 << disk_ << Properties{};
              }),
              kInvalidArgs);
    EXPECT_EQ(raw_launch([&](sdbus::MethodCall& m) {
                  // properties as a{sv}
                  m << std::string("g") << uint64_t{512} << uint32_t{1} << disk_
                    << std::map<std::string, sdbus::Variant>{{"hw_machine_type", "q35"}};
              }),
              kInvalidArgs);
    EXPECT_EQ(raw_launch(
                  [&](sdbus::MethodCall& m) {
                      // one argument too many
                      m << std::string("g") << uint64_t{512} << uint32_t{1} << disk_ << Properties{}
                        << std::string("extra");
                  },
                  "Plan"),
              kInvalidArgs);
    EXPECT_EQ(raw_launch([](sdbus::MethodCall& m) { m << uint32_t{7}; }, "Stop"), kInvalidArgs);
    // Host1 (open to anyone): Describe and Refresh take no arguments.
    auto host = sdbus::createProxy(*conn_, kHostName, kHostPath);
    host->finishRegistration();
    EXPECT_EQ(error_name_of([&] {
                  host->callMethod("Describe").onInterface(kHostInterface).withArguments(1u);
              }),
              kInvalidArgs);
    EXPECT_EQ(error_name_of([&] {
                  host->callMethod("Refresh").onInterface(kHostInterface).withArguments("now");
              }),
              kInvalidArgs);

    // The same through busctl, as an admin would type it: vcpus given as a string.
    const auto busctl =
        run_command({"busctl", "--address=" + bus_->address(), "call", kHostName, kLauncherPath,
                     kLauncherInterface, "Launch", "stss", "g", "512", "two", disk_},
                    {});
    EXPECT_NE(busctl.exit_code, 0) << busctl.output;
    EXPECT_NE(busctl.output.find("Invalid arguments"), std::string::npos) << busctl.output;
    expect_serving();
}

TEST_F(BadArguments, OversizedArgumentsAreInvalidArgument) {
    EXPECT_EQ(launch(std::string(kMiB, 'a'), disk_, {}), kInvalidArgument) << "1 MiB name";
    EXPECT_EQ(launch("big-disk", "/" + std::string(kMiB, 'd'), {}), kInvalidArgument)
        << "1 MiB disk path";
    EXPECT_EQ(launch("big-value", disk_, {{"hw_machine_type", std::string(kMiB, 'q')}}),
              kInvalidArgument)
        << "1 MiB property value";
    Properties many;
    for (int i = 0; i < 10'000; ++i)
        many.emplace("hw_unknown_" + std::to_string(i), "1");
    EXPECT_EQ(launch("many", disk_, many), kInvalidArgument) << "10,000 unknown properties";
    // 10,000 entries of which only one is unknown: still refused, naming it.
    Properties mostly_valid{{"hw_machine_type", "q35"}};
    for (int i = 0; i < 9'999; ++i)
        mostly_valid.emplace("trait:CUSTOM_" + std::to_string(i), "required");
    EXPECT_EQ(launch("many-traits", disk_, mostly_valid), kInvalidArgument);
    EXPECT_EQ(error_name_of([&] { launcher_->Stop(std::string(kMiB, 's')); }), kInvalidArgument)
        << "1 MiB name to Stop";
    // Plan takes the same path.
    EXPECT_EQ(error_name_of([&] { launcher_->Plan(std::string(kMiB, 'p'), 512, 1, disk_, {}); }),
              kInvalidArgument);
    expect_serving();
    // And still launches a correct request afterwards.
    EXPECT_EQ(launch("after-abuse", disk_, {}), "ok") << daemon_->log();
}

} // namespace
} // namespace sevd::test::faults
