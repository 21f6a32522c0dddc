// The real `sevd` binary: probe on fixture snapshots (exit codes, --json),
// errors, and the capture -> probe --root round trip on this machine.
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/probe/run_sevd.h"

namespace {

namespace fs = std::filesystem;
using sevd::probe::cli_test::Run;
using sevd::probe::cli_test::sevd;
using sevd::probe::cli_test::TempDir;
using ::testing::HasSubstr;

std::string fixture(const std::string& host) {
    return std::string(SEVD_FIXTURES_DIR) + "/" + host;
}

TEST(ProbeCli, ExitCodesOnFixtures) {
    struct Case {
        const char* host;
        const char* libvirt;
        int exit_code;
    };
    for (const auto& c : {
             Case{"rome-7742", "--no-libvirt", 0},           // SEV launchable
             Case{"rome-split-asids", "test:///default", 0}, // SEV and SEV-ES
             Case{"naples-7551p", "test:///default", 0},
             Case{"cloud-vm-epyc", "--no-libvirt", 1}, // nothing launchable
             Case{"rome-libvirt-sev-no", "test:///default", 1},
             Case{"rome-dev-sev-eacces", "--no-libvirt", 1},
             Case{"rome-cpuid-garbled", "--no-libvirt", 1}, // bad input: a failed check, not 2
             Case{"intel-kvm-guest", "--no-libvirt", 1},
         }) {
        std::vector<std::string> args = {"probe", "--root", fixture(c.host)};
        if (std::string(c.libvirt) == "--no-libvirt")
            args.push_back("--no-libvirt");
        else
            args.insert(args.end(), {"--libvirt-uri", c.libvirt});
        const auto run = sevd(args);
        EXPECT_EQ(run.exit_code, c.exit_code) << c.host << "\n" << run.out << run.err;
        EXPECT_EQ(run.err, "") << c.host;
    }
}

TEST(ProbeCli, JsonIsOnlyJson) {
    const auto run = sevd({"probe", "--json", "--root", fixture("rome-split-asids"),
                           "--libvirt-uri", "test:///default"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out); // throws (fails) on any extra text
    EXPECT_EQ(j["ready"], true);
    EXPECT_EQ(j["models"], nlohmann::json({"amd-sev", "amd-sev-es"}));
    // EDX 100: SEV 509 - 100 + 1 = 410 ASIDs, SEV-ES 99; misc.current sev 3, sev_es 1.
    EXPECT_EQ(j["slots"]["amd-sev"]["total"], 410);
    EXPECT_EQ(j["slots"]["amd-sev-es"]["used"], 1);
}

TEST(ProbeCli, HumanOutput) {
    const auto run = sevd({"probe", "--root", fixture("rome-7742"), "--no-libvirt"});
    ASSERT_EQ(run.exit_code, 0);
    EXPECT_THAT(run.out, HasSubstr("PASS  cpu.vendor: "));
    EXPECT_THAT(run.out, HasSubstr("WARN  cpu.asid_split: "));
    EXPECT_THAT(run.out, HasSubstr("      fix: in the BIOS setup"));
    EXPECT_THAT(run.out, HasSubstr("SKIP  libvirt.connection: "));
    // Summary: 509 SEV ASIDs, misc.current "sev 2".
    EXPECT_THAT(run.out, HasSubstr("\nready: yes\nmodels: amd-sev\nslots: amd-sev 2/509 used, "
                                   "amd-sev-es 0/0 used, amd-sev-snp 0/0 used\n"));
}

TEST(ProbeCli, MissingRootIsExit2NamingThePath) {
    const std::string missing = "/nonexistent/sevd-snapshot";
    auto run = sevd({"probe", "--root", missing});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr(missing));
    EXPECT_EQ(run.out, "");

    run = sevd({"probe", "--json", "--root", missing});
    EXPECT_EQ(run.exit_code, 2);
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_THAT(j["error"].get<std::string>(), HasSubstr(missing));
}

TEST(ProbeCli, UsageErrorsAreExit2) {
    auto run = sevd({"probe", "--no-libvirt", "--libvirt-uri", "test:///default", "--json"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(nlohmann::json::parse(run.out)["error"].get<std::string>(), HasSubstr("exclude"));
    EXPECT_EQ(sevd({"probe", "--bogus"}).exit_code, 2);
    EXPECT_EQ(sevd({"capture"}).exit_code, 2); // DIR required
}

TEST(ProbeCli, LiveProbeWithoutLibvirtdIsAFailedCheck) {
    // No libvirtd runs on the test machine: the probe still completes (0 or 1),
    // and says how to fix the connection.
    const auto run =
        sevd({"probe", "--json", "--libvirt-uri", "qemu+unix:///system?socket=/nonexistent"});
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    EXPECT_EQ(run.err, ""); // libvirt's own stderr printing is silenced
    const auto j = nlohmann::json::parse(run.out);
    bool found = false;
    for (const auto& check : j["checks"])
        if (check["id"] == "libvirt.connection") {
            found = true;
            EXPECT_EQ(check["status"], "fail");
            EXPECT_THAT(check["hint"].get<std::string>(), HasSubstr("libvirtd"));
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(j["ready"], false);
}

TEST(ProbeCli, CaptureThenReplayGivesTheLiveReport) {
    // Excluded: nothing in the report. libvirt is left out on both sides
    // (--no-libvirt) because no libvirtd runs here; the snapshot's libvirt
    // path is covered by the fixture hosts. proc/self/limits is captured, so
    // even the memlock check replays identically.
    TempDir dir;
    const auto snapshot = dir.path() / "snap";
    const auto capture = sevd({"capture", snapshot.string(), "--no-libvirt"});
    ASSERT_EQ(capture.exit_code, 0) << capture.err;
    EXPECT_TRUE(fs::exists(snapshot / "cpuid"));
    EXPECT_TRUE(fs::exists(snapshot / "proc/meminfo"));

    const auto live = sevd({"probe", "--json", "--no-libvirt"});
    const auto replay = sevd({"probe", "--json", "--no-libvirt", "--root", snapshot.string()});
    EXPECT_EQ(live.exit_code, replay.exit_code);
    auto live_json = nlohmann::json::parse(live.out);
    auto replay_json = nlohmann::json::parse(replay.out);
    EXPECT_EQ(live_json, replay_json) << live_json.dump(1) << "\n---\n" << replay_json.dump(1);
}

TEST(ProbeCli, CaptureRefusesNonEmptyDirectory) {
    TempDir dir;
    std::ofstream(dir.path() / "stale") << "x";
    const auto run = sevd({"capture", dir.path().string(), "--no-libvirt"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr(dir.path().string()));
}

} // namespace
