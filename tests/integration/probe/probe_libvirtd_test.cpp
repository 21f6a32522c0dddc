// Capture -> replay with libvirt consulted, against a private real libvirtd
// (QEMU driver, this machine: no SEV, so <sev supported='no'>).
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/probe/run_sevd.h"
#include "tests/support/libvirtd_instance.h"

namespace {

using sevd::probe::cli_test::sevd;
using sevd::probe::cli_test::TempDir;
using sevd::test::LibvirtdInstance;

TEST(ProbeLibvirtd, CaptureWithLibvirtReplaysTheLiveReport) {
    if (!LibvirtdInstance::available())
        GTEST_SKIP() << LibvirtdInstance::kBinary << " is not installed";
    LibvirtdInstance daemon;
    TempDir dir;
    const auto snapshot = dir.path() / "snap";

    const auto capture = sevd({"capture", snapshot.string(), "--libvirt-uri", daemon.uri()});
    ASSERT_EQ(capture.exit_code, 0) << capture.err;
    ASSERT_TRUE(std::filesystem::exists(snapshot / "libvirt/domcapabilities.xml")) << capture.out;

    // Live: domain capabilities from the connection; replay: from the snapshot
    // file, running guests from the same connection. Nothing is excluded.
    const auto live = sevd({"probe", "--json", "--libvirt-uri", daemon.uri()});
    const auto replay =
        sevd({"probe", "--json", "--libvirt-uri", daemon.uri(), "--root", snapshot.string()});
    ASSERT_EQ(live.err, "");
    EXPECT_EQ(live.exit_code, replay.exit_code);
    const auto live_json = nlohmann::json::parse(live.out);
    const auto replay_json = nlohmann::json::parse(replay.out);
    EXPECT_EQ(live_json, replay_json) << live_json.dump(1) << "\n---\n" << replay_json.dump(1);
    EXPECT_EQ(live_json["libvirt"]["available"], true);
    EXPECT_EQ(live_json["libvirt"]["sev"], false); // this machine has no SEV
}

// Issue 15: the snapshot replays alone. Capture against a private libvirtd,
// probe live, stop libvirtd, then `probe --root` without a URI: the same JSON
// (libvirt comes from the snapshot's state.json and domcapabilities.xml).
TEST(ProbeLibvirtd, ReplayWithLibvirtStoppedEqualsTheLiveProbe) {
    if (!LibvirtdInstance::available())
        GTEST_SKIP() << LibvirtdInstance::kBinary << " is not installed";
    LibvirtdInstance daemon;
    TempDir dir;
    const auto snapshot = dir.path() / "snap";
    const auto config = dir.path() / "sevd.conf";
    { std::ofstream(config) << "[libvirt]\nuri = " << daemon.uri() << "\n"; }
    // The URI comes from the configuration, as the daemon's would.
    const auto capture = sevd({"capture", snapshot.string(), "--config", config.string()});
    ASSERT_EQ(capture.exit_code, 0) << capture.err;
    ASSERT_TRUE(std::filesystem::exists(snapshot / "libvirt/state.json")) << capture.out;
    const auto live = sevd({"probe", "--json", "--config", config.string()});
    ASSERT_EQ(live.err, "");
    daemon.stop();

    const auto replay =
        sevd({"probe", "--json", "--root", snapshot.string(), "--config", config.string()});
    EXPECT_EQ(live.exit_code, replay.exit_code);
    const auto live_json = nlohmann::json::parse(live.out);
    const auto replay_json = nlohmann::json::parse(replay.out);
    EXPECT_EQ(live_json, replay_json) << live_json.dump(1) << "\n---\n" << replay_json.dump(1);
    EXPECT_EQ(replay_json["libvirt"]["connected"], true);
    EXPECT_GT(replay_json["libvirt"]["version"].get<uint64_t>(), 0u);

    // Asking for the (stopped) live libvirt explicitly is what makes it count.
    const auto live_again = sevd({"probe", "--json", "--root", snapshot.string(), "--libvirt-uri",
                                  daemon.uri(), "--config", config.string()});
    EXPECT_EQ(nlohmann::json::parse(live_again.out)["libvirt"]["connected"], false);
}

// A capture while libvirt is unreachable records that, and replays it.
TEST(ProbeLibvirtd, CaptureRecordsAnUnreachableLibvirt) {
    TempDir dir;
    const auto snapshot = dir.path() / "snap";
    const std::string uri = "qemu+unix:///system?socket=/nonexistent/sevd-probe-sock";
    const auto capture = sevd({"capture", snapshot.string(), "--libvirt-uri", uri, "--config",
                               (dir.path() / "none.conf").string()});
    ASSERT_EQ(capture.exit_code, 0) << capture.err;
    EXPECT_FALSE(std::filesystem::exists(snapshot / "libvirt/domcapabilities.xml"));
    const auto replay = sevd({"probe", "--json", "--root", snapshot.string(), "--config",
                              (dir.path() / "none.conf").string()});
    const auto json = nlohmann::json::parse(replay.out);
    EXPECT_EQ(json["libvirt"]["connected"], false);
    bool named = false;
    for (const auto& check : json["checks"])
        if (check["id"] == "libvirt.connection")
            named = check["message"].get<std::string>().find(uri) != std::string::npos;
    EXPECT_TRUE(named) << json.dump(1);
}

} // namespace
