// Capture -> replay with libvirt consulted, against a private real libvirtd
// (QEMU driver, this machine: no SEV, so <sev supported='no'>).
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

} // namespace
