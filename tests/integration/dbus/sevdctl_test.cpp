// sevdctl against the real daemon on a private bus, and without one.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"

namespace sevd::test {
namespace {

const std::filesystem::path kRome = SEVD_FIXTURES_DIR "/rome-split-asids";

TEST(Sevdctl, StatusPrintsTheChecksLikeProbe) {
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(kRome));
    const auto r = run_command({kSevdctlBinary, "status"}, bus.env());
    // libvirt unreachable → no launchable model → exit 1, like `sevd probe`.
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("PASS  firmware.device"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("slots: amd-sev 3/410 used, amd-sev-es 1/99 used"), std::string::npos)
        << r.output;
}

TEST(Sevdctl, StatusJsonIsDescribe) {
    PrivateBus bus;
    SevdDaemon daemon(bus, daemon_options(kRome));
    const auto r = run_command({kSevdctlBinary, "status", "--json"}, bus.env());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    const auto json = nlohmann::json::parse(r.output);
    EXPECT_EQ(json["slots"]["amd-sev"]["total"], 410);
    EXPECT_EQ(json["slots"]["amd-sev"]["used"], 3);
}

TEST(Sevdctl, StatusWithoutDaemonSaysSoAndExitsThree) {
    PrivateBus bus;
    const auto r = run_command({kSevdctlBinary, "status"}, bus.env());
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("sevd is not running"), std::string::npos) << r.output;
}

TEST(Sevdctl, StatusWithoutAnyBusExitsThree) {
    const auto r = run_command({kSevdctlBinary, "status", "--json"},
                               {{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/sevd-bus"}});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_TRUE(nlohmann::json::parse(r.output).contains("error")) << r.output;
}

} // namespace
} // namespace sevd::test
