// `sevd tune` as a process on this machine's real cgroup v1 memory hierarchy:
// machine.slice/memory.limit_in_bytes. Whatever was there is put back (and a
// machine.slice this test created is removed), even on failure.
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cgroup_state_guard.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

const fs::path kSlice = "/sys/fs/cgroup/memory/machine.slice";
const fs::path kLimitFile = kSlice / "memory.limit_in_bytes";
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kPage = 4096;

sevd::test::CommandResult run_sevd(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), SEVD_EXECUTABLE);
    return sevd::test::run_command(arguments);
}

sevd::test::CommandResult run_sevd_as_nobody(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), SEVD_EXECUTABLE);
    return sevd::test::run_command(sevd::test::as_nobody(arguments));
}

uint64_t mem_total_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t kib = 0;
    in >> key >> kib; // first line: "MemTotal:  N kB"
    return kib * 1024;
}

// A `sleep` moved into machine.slice: a stand-in for a running guest's QEMU,
// so `sevd tune` has to ask libvirt. Stopped (and reaped) when destroyed, before
// the fixture puts the slice back.
class ProcessInSlice {
public:
    ProcessInSlice() : sleeper_({"/bin/sleep", "600"}) {
        fs::create_directories(kSlice);
        std::ofstream(kSlice / "cgroup.procs") << sleeper_.pid() << "\n";
    }
    bool moved() const {
        const auto procs = sevd::test::read_text(kSlice / "cgroup.procs");
        return procs && procs->find(std::to_string(sleeper_.pid())) != std::string::npos;
    }

private:
    sevd::test::ChildProcess sleeper_;
};

// libvirt's test driver with two running SEV guests of 2 GiB and 4 GiB:
// locked = 6 GiB + 2 * 16 MiB (guest_overhead_mb) = 6176 MiB.
void write_node_with_two_sev_guests(const fs::path& node) {
    std::ofstream(node) << "<node><domain type='test'><name>a</name>"
                           "<memory unit='KiB'>2097152</memory><os><type>hvm</type></os>"
                           "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>"
                           "</domain><domain type='test'><name>b</name>"
                           "<memory unit='KiB'>4194304</memory><os><type>hvm</type></os>"
                           "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>"
                           "</domain></node>";
}

class TuneCommand : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0 || !fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            GTEST_SKIP() << "needs root and a cgroup v1 memory hierarchy";
        if (fs::exists("/run/systemd/system"))
            GTEST_SKIP() << "systemd manages machine.slice here; see the systemd backend test";
        guard_ = std::make_unique<sevd::test::CgroupStateGuard>(kSlice, "memory.limit_in_bytes");
    }
    void TearDown() override { guard_.reset(); }
    std::string config_reserving(const std::string& reserve) {
        const auto path = dir_ / "sevd.conf";
        // An unreachable libvirt counts as no running SEV guests.
        std::ofstream(path) << "[libvirt]\nuri = qemu+unix:///system?socket=" << dir_.string()
                            << "/none.sock\n[memory]\nreserved_host_memory_mb = " << reserve
                            << "\n";
        return path.string();
    }
    // libvirt's test driver with the two running SEV guests of
    // write_node_with_two_sev_guests, and a host reserve of `reserve` MiB.
    std::string config_with_two_sev_guests(uint64_t reserve) {
        const auto node = dir_ / "node.xml";
        write_node_with_two_sev_guests(node);
        const auto path = dir_ / "guests.conf";
        std::ofstream(path) << "[libvirt]\nuri = test://" << node.string()
                            << "\n[memory]\nreserved_host_memory_mb = " << reserve << "\n";
        return path.string();
    }
    std::string limit_state() { return sevd::test::read_text(kLimitFile).value_or("<absent>"); }

    std::unique_ptr<sevd::test::CgroupStateGuard> guard_;
    sevd::test::TempDir temp_{"sevd-tune-cli"};
    const fs::path dir_ = temp_.path();
};

TEST_F(TuneCommand, AppliesMemTotalMinusReservePageRoundedAndReadsBack) {
    // The rule: limit = MemTotal - 2048 MiB, rounded down to a 4 KiB page.
    const uint64_t expected = (mem_total_bytes() - 2048 * kMiB) / kPage * kPage;
    const auto run = run_sevd({"tune", "--json", "--config", config_reserving("2048")});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(limit_state(), std::to_string(expected) + "\n");
    const auto json = nlohmann::json::parse(run.output);
    EXPECT_EQ(json["action"], "applied");
    EXPECT_EQ(json["computed_limit_bytes"], expected);
    EXPECT_EQ(json["after"]["limit_bytes"], expected);
    EXPECT_EQ(json["after"]["source"], "cgroupfs");
    EXPECT_EQ(json["after"]["cgroup_version"], 1);
    EXPECT_EQ(json["after"]["path"], kLimitFile.string());

    const auto again = run_sevd({"tune", "--config", config_reserving("2048")});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("PASS already in force"), std::string::npos) << again.output;
}

TEST_F(TuneCommand, DryRunLeavesTheFileUntouched) {
    const auto before = limit_state();
    const auto run = run_sevd({"tune", "--dry-run", "--config", config_reserving("3072")});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("SKIP dry run: would "), std::string::npos) << run.output;
    EXPECT_EQ(limit_state(), before);
    EXPECT_EQ(fs::exists(kSlice), guard_->existed());
}

TEST_F(TuneCommand, RootIsADryRunWithTheSnapshotsMemTotal) {
    // rome-split-asids: MemTotal 263842124 kB = 270174334976 bytes; minus the
    // 3072 MiB reserve = 266953109504 bytes (a whole number of 4 KiB pages).
    const auto before = limit_state();
    const auto run = run_sevd({"tune", "--json", "--root", SEVD_FIXTURES_DIR "/rome-split-asids",
                               "--config", config_reserving("3072")});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto json = nlohmann::json::parse(run.output);
    EXPECT_EQ(json["computed_limit_bytes"], 266953109504u) << run.output;
    EXPECT_EQ(json["dry_run"], true) << run.output;
    EXPECT_EQ(limit_state(), before);
    EXPECT_EQ(fs::exists(kSlice), guard_->existed());
}

TEST_F(TuneCommand, ReserveNotBelowMemTotalIsRefusedAndWritesNothing) {
    const auto before = limit_state();
    // MemTotal in MiB, rounded up: certainly not below MemTotal.
    const uint64_t reserve = (mem_total_bytes() + kMiB - 1) / kMiB;
    const auto run = run_sevd({"tune", "--config", config_reserving(std::to_string(reserve))});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("FAIL refused: " + (dir_ / "sevd.conf").string() +
                              ":4: [memory] reserved_host_memory_mb = " + std::to_string(reserve) +
                              " MiB is not below MemTotal"),
              std::string::npos)
        << run.output;
    EXPECT_EQ(limit_state(), before);
}

TEST_F(TuneCommand, BadValuesNameFileLineAndKey) {
    for (const std::string bad : {"lots", "-512", "4G"}) {
        const auto run = run_sevd({"tune", "--config", config_reserving(bad)});
        EXPECT_EQ(run.exit_code, 1) << run.output;
        EXPECT_NE(run.output.find((dir_ / "sevd.conf").string() +
                                  ":4: [memory] reserved_host_memory_mb = \"" + bad + "\""),
                  std::string::npos)
            << run.output;
    }
    EXPECT_FALSE(!guard_->existed() && fs::exists(kSlice)); // nothing created
}

TEST_F(TuneCommand, JsonErrorsAreJsonOnly) {
    const auto run = run_sevd({"tune", "--json", "--config", config_reserving("x")});
    EXPECT_EQ(run.exit_code, 1);
    const auto json = nlohmann::json::parse(run.output); // throws on any stray text
    EXPECT_EQ(json["action"], "refused");
}

TEST_F(TuneCommand, LimitBelowRunningSevGuestsIsRefusedAndWritesNothing) {
    // Two running SEV guests lock 6176 MiB (write_node_with_two_sev_guests). A
    // reserve of MemTotal - 6000 MiB leaves a limit of about 6000 MiB, below it.
    const uint64_t reserve = mem_total_bytes() / kMiB - 6000;
    const auto config = config_with_two_sev_guests(reserve);
    const ProcessInSlice guest_stand_in;
    ASSERT_TRUE(guest_stand_in.moved());
    const auto before = limit_state();
    const auto run = run_sevd({"tune", "--config", config});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("SEV guests        2 running, 6.0 GiB locked"), std::string::npos)
        << run.output;
    EXPECT_NE(
        run.output.find("locked by the SEV guests already running; the old limit stays in force"),
        std::string::npos)
        << run.output;
    // Largest reserve that fits: (MemTotal - 6176 MiB) in whole MiB.
    const uint64_t max_reserve = (mem_total_bytes() - 6176 * kMiB) / kMiB;
    EXPECT_NE(run.output.find("at most " + std::to_string(max_reserve) + " MiB"), std::string::npos)
        << run.output;
    EXPECT_EQ(limit_state(), before);
}

TEST_F(TuneCommand, EmptySliceIsTunedWithoutAskingLibvirt) {
    // The same libvirt and reserve as above, but no process in machine.slice:
    // no guest is constrained by the limit, so libvirt is not asked (at boot
    // that would wait on libvirt's daemons) and the limit is computed as
    // MemTotal - reserve, rounded down to a page.
    const uint64_t reserve = mem_total_bytes() / kMiB - 6000;
    const auto config = config_with_two_sev_guests(reserve);
    const auto before = limit_state();
    if (sevd::test::read_text(kSlice / "cgroup.procs").value_or("") != "")
        GTEST_SKIP() << "machine.slice holds processes on this host";
    const auto run = run_sevd({"tune", "--dry-run", "--json", "--config", config});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto json = nlohmann::json::parse(run.output);
    EXPECT_EQ(json["action"], "dry_run");
    EXPECT_EQ(json["sev_guests"]["running"], 0);
    EXPECT_EQ(json["sev_guests"]["counted_from"],
              "machine.slice holds no process; libvirt not asked");
    const uint64_t limit = (mem_total_bytes() - reserve * kMiB) / kPage * kPage;
    EXPECT_EQ(json["computed_limit_bytes"], limit);
    EXPECT_EQ(limit_state(), before);
}

TEST_F(TuneCommand, UnwritableCgroupLeavesTheLimitAndExits2) {
    // As user nobody the cgroup files (root, 0644) are not writable.
    if (access("/usr/bin/setpriv", X_OK) != 0)
        GTEST_SKIP() << "setpriv (util-linux) not installed";
    const auto config = config_reserving("1024");
    fs::permissions(dir_, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    fs::permissions(config, fs::perms::others_read, fs::perm_options::add);
    const auto before = limit_state();
    const auto run = run_sevd_as_nobody({"tune", "--config", config});
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("FAIL failed: cannot write"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("the limit in force stays"), std::string::npos) << run.output;
    EXPECT_EQ(limit_state(), before);
}

} // namespace
