// `sevd tune` as a process on this machine's real cgroup v1 memory hierarchy:
// machine.slice/memory.limit_in_bytes. Whatever was there is put back (and a
// machine.slice this test created is removed), even on failure.
#include <array>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cgroup_state_guard.h"

namespace {

namespace fs = std::filesystem;

const fs::path kSlice = "/sys/fs/cgroup/memory/machine.slice";
const fs::path kLimitFile = kSlice / "memory.limit_in_bytes";
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kPage = 4096;

struct Run {
    int exit_code = -1;
    std::string out;
};

Run run_command(const std::string& command) {
    Run run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        return run;
    std::array<char, 4096> buffer{};
    size_t got = 0;
    while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        run.out.append(buffer.data(), got);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

Run run_sevd(const std::string& arguments) {
    return run_command(std::string(SEVD_EXECUTABLE) + " " + arguments + " 2>&1");
}

Run run_sevd_as_nobody(const std::string& arguments) {
    return run_command("setpriv --reuid=65534 --regid=65534 --clear-groups " +
                       std::string(SEVD_EXECUTABLE) + " " + arguments + " 2>&1");
}

uint64_t mem_total_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t kib = 0;
    in >> key >> kib; // first line: "MemTotal:  N kB"
    return kib * 1024;
}

class TuneCommand : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0 || !fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            GTEST_SKIP() << "needs root and a cgroup v1 memory hierarchy";
        if (fs::exists("/run/systemd/system"))
            GTEST_SKIP() << "systemd manages machine.slice here; see the systemd backend test";
        guard_ = std::make_unique<sevd::test::CgroupStateGuard>(kSlice, "memory.limit_in_bytes");
        dir_ = fs::temp_directory_path() / ("sevd-tune-cli-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override {
        guard_.reset();
        fs::remove_all(dir_);
    }
    std::string config_reserving(const std::string& reserve) {
        const auto path = dir_ / "sevd.conf";
        // An unreachable libvirt counts as no running SEV guests.
        std::ofstream(path) << "[libvirt]\nuri = qemu+unix:///system?socket=" << dir_.string()
                            << "/none.sock\n[memory]\nreserved_host_memory_mb = " << reserve
                            << "\n";
        return path.string();
    }
    std::string limit_state() { return sevd::test::read_text(kLimitFile).value_or("<absent>"); }

    std::unique_ptr<sevd::test::CgroupStateGuard> guard_;
    fs::path dir_;
};

TEST_F(TuneCommand, AppliesMemTotalMinusReservePageRoundedAndReadsBack) {
    // The rule: limit = MemTotal - 2048 MiB, rounded down to a 4 KiB page.
    const uint64_t expected = (mem_total_bytes() - 2048 * kMiB) / kPage * kPage;
    const auto run = run_sevd("tune --json --config " + config_reserving("2048"));
    ASSERT_EQ(run.exit_code, 0) << run.out;
    EXPECT_EQ(limit_state(), std::to_string(expected) + "\n");
    const auto json = nlohmann::json::parse(run.out);
    EXPECT_EQ(json["action"], "applied");
    EXPECT_EQ(json["computed_limit_bytes"], expected);
    EXPECT_EQ(json["after"]["limit_bytes"], expected);
    EXPECT_EQ(json["after"]["source"], "cgroupfs");
    EXPECT_EQ(json["after"]["cgroup_version"], 1);
    EXPECT_EQ(json["after"]["path"], kLimitFile.string());

    const auto again = run_sevd("tune --config " + config_reserving("2048"));
    EXPECT_EQ(again.exit_code, 0) << again.out;
    EXPECT_NE(again.out.find("PASS already in force"), std::string::npos) << again.out;
}

TEST_F(TuneCommand, DryRunLeavesTheFileUntouched) {
    const auto before = limit_state();
    const auto run = run_sevd("tune --dry-run --config " + config_reserving("3072"));
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find("SKIP dry run: would "), std::string::npos) << run.out;
    EXPECT_EQ(limit_state(), before);
    EXPECT_EQ(fs::exists(kSlice), guard_->existed());
}

TEST_F(TuneCommand, ReserveNotBelowMemTotalIsRefusedAndWritesNothing) {
    const auto before = limit_state();
    // MemTotal in MiB, rounded up: certainly not below MemTotal.
    const uint64_t reserve = (mem_total_bytes() + kMiB - 1) / kMiB;
    const auto run = run_sevd("tune --config " + config_reserving(std::to_string(reserve)));
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.out.find("FAIL refused: " + (dir_ / "sevd.conf").string() +
                           ":4: [memory] reserved_host_memory_mb = " + std::to_string(reserve) +
                           " MiB is not below MemTotal"),
              std::string::npos)
        << run.out;
    EXPECT_EQ(limit_state(), before);
}

TEST_F(TuneCommand, BadValuesNameFileLineAndKey) {
    for (const std::string bad : {"lots", "-512", "4G"}) {
        const auto run = run_sevd("tune --config " + config_reserving(bad));
        EXPECT_EQ(run.exit_code, 1) << run.out;
        EXPECT_NE(run.out.find((dir_ / "sevd.conf").string() +
                               ":4: [memory] reserved_host_memory_mb = \"" + bad + "\""),
                  std::string::npos)
            << run.out;
    }
    EXPECT_FALSE(!guard_->existed() && fs::exists(kSlice)); // nothing created
}

TEST_F(TuneCommand, JsonErrorsAreJsonOnly) {
    const auto run = run_sevd("tune --json --config " + config_reserving("x"));
    EXPECT_EQ(run.exit_code, 1);
    const auto json = nlohmann::json::parse(run.out); // throws on any stray text
    EXPECT_EQ(json["action"], "refused");
}

TEST_F(TuneCommand, LimitBelowRunningSevGuestsIsRefusedAndWritesNothing) {
    // libvirt's test driver with two running SEV guests of 2 GiB and 4 GiB:
    // locked = 6 GiB + 2 * 16 MiB = 6176 MiB. A reserve of MemTotal - 6000 MiB
    // leaves a limit of about 6000 MiB, below it.
    const auto node = dir_ / "node.xml";
    std::ofstream(node) << "<node><domain type='test'><name>a</name>"
                           "<memory unit='KiB'>2097152</memory><os><type>hvm</type></os>"
                           "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>"
                           "</domain><domain type='test'><name>b</name>"
                           "<memory unit='KiB'>4194304</memory><os><type>hvm</type></os>"
                           "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>"
                           "</domain></node>";
    const uint64_t reserve = mem_total_bytes() / kMiB - 6000;
    const auto config = dir_ / "guests.conf";
    std::ofstream(config) << "[libvirt]\nuri = test://" << node.string()
                          << "\n[memory]\nreserved_host_memory_mb = " << reserve << "\n";
    const auto before = limit_state();
    const auto run = run_sevd("tune --config " + config.string());
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.out.find("SEV guests        2 running, 6.0 GiB locked"), std::string::npos)
        << run.out;
    EXPECT_NE(
        run.out.find("locked by the SEV guests already running; the old limit stays in force"),
        std::string::npos)
        << run.out;
    // Largest reserve that fits: (MemTotal - 6176 MiB) in whole MiB.
    const uint64_t max_reserve = (mem_total_bytes() - 6176 * kMiB) / kMiB;
    EXPECT_NE(run.out.find("at most " + std::to_string(max_reserve) + " MiB"), std::string::npos)
        << run.out;
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
    const auto run = run_sevd_as_nobody("tune --config " + config);
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_NE(run.out.find("FAIL failed: cannot write"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("the limit in force stays"), std::string::npos) << run.out;
    EXPECT_EQ(limit_state(), before);
}

} // namespace
