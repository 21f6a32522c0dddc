// The cgroupfs (libcgroup) path on this machine's real cgroups: v1 memory at
// /sys/fs/cgroup/memory, and a cgroup2 mount at /sys/fs/cgroup/unified that
// has no memory controller. Uses a private slice name so machine.slice stays
// untouched; each test removes what it created, even on failure.
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cgroup_state_guard.h"
#include "cgroups/cgroupfs_backend.h"
#include "cgroups/memory_limit_tuner.h"
#include "cgroups/tune_error.h"
#include "tests/support/temp_dir.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

const fs::path kV1Memory = "/sys/fs/cgroup/memory";
const fs::path kUnified = "/sys/fs/cgroup/unified";
constexpr uint64_t kMiB = 1024 * 1024;

class CgroupV1Test : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0 || !fs::exists(kV1Memory / "memory.limit_in_bytes"))
            GTEST_SKIP() << "needs root and a cgroup v1 memory hierarchy at " << kV1Memory;
        slice_ = "sevd-test-" + std::to_string(getpid()) + ".slice";
        guard_ =
            std::make_unique<test::CgroupStateGuard>(kV1Memory / slice_, "memory.limit_in_bytes");
    }
    void TearDown() override { guard_.reset(); } // removes the private slice
    void set_mem_total_kib(uint64_t kib) {
        test::write_file(root_ / "proc/meminfo",
                         "MemTotal:       " + std::to_string(kib) + " kB\n");
    }
    MemoryLimitTuner tuner() {
        TunerOptions options;
        options.backend = BackendChoice::Cgroupfs;
        options.cgroup_mount = CgroupMount{kV1Memory, 1};
        options.root = root_;
        options.slice = slice_;
        options.page_size = 4096;
        return MemoryLimitTuner(options);
    }
    std::string limit_file_text() {
        return test::read_text(kV1Memory / slice_ / "memory.limit_in_bytes").value_or("<absent>");
    }

    std::string slice_;
    std::unique_ptr<test::CgroupStateGuard> guard_;
    test::TempDir temp_{"sevd-v1-root"};
    const fs::path root_ = temp_.path();
    config::Config config_;
};

TEST_F(CgroupV1Test, CreatesTheSliceWritesAndReadsBack) {
    set_mem_total_kib(16777216); // 16 GiB; minus 4096 MiB = 12884901888
    const auto result = tuner().apply(config_, false, 0);
    EXPECT_EQ(result.action, TuneAction::Applied);
    EXPECT_EQ(result.before.limit_bytes, 0u);
    EXPECT_EQ(result.after.limit_bytes, 12884901888ull);
    EXPECT_EQ(result.after.source, "cgroupfs");
    EXPECT_EQ(result.after.cgroup_version, 1);
    EXPECT_EQ(result.after.path, (kV1Memory / slice_ / "memory.limit_in_bytes").string());
    EXPECT_EQ(limit_file_text(), "12884901888\n");
}

TEST_F(CgroupV1Test, KernelKeepsThePageRoundedValueWeComputed) {
    // MemTotal 1000001 kB = 1024001024 bytes; minus 100 MiB = 919143424
    // = 224400.25 pages -> 224400 pages = 919142400 bytes.
    set_mem_total_kib(1000001);
    config_.reserved_host_memory_mb = 100;
    const auto result = tuner().apply(config_, false, 0);
    EXPECT_EQ(result.action, TuneAction::Applied);
    EXPECT_EQ(limit_file_text(), "919142400\n");
}

TEST_F(CgroupV1Test, SecondApplyFindsItInForce) {
    set_mem_total_kib(16777216);
    tuner().apply(config_, false, 0);
    const auto again = tuner().apply(config_, false, 0);
    EXPECT_EQ(again.action, TuneAction::AlreadyInForce);
    EXPECT_FALSE(again.changed);
}

TEST_F(CgroupV1Test, DryRunCreatesAndWritesNothing) {
    set_mem_total_kib(16777216);
    const auto result = tuner().apply(config_, true, 0);
    EXPECT_EQ(result.action, TuneAction::DryRun);
    EXPECT_EQ(result.computed_limit_bytes, 12884901888ull);
    EXPECT_FALSE(fs::exists(kV1Memory / slice_));
}

TEST_F(CgroupV1Test, UnwritableLimitKeepsThePreviousOneAndSaysSo) {
    // On v1, memory.limit_in_bytes may not exceed memory.memsw.limit_in_bytes
    // (the kernel answers EINVAL): pin both at 64 MiB, then ask for 12 GiB.
    if (!fs::exists(kV1Memory / "memory.memsw.limit_in_bytes"))
        GTEST_SKIP() << "no swap accounting (memsw) on this kernel";
    fs::create_directory(kV1Memory / slice_);
    std::ofstream(kV1Memory / slice_ / "memory.limit_in_bytes") << 64 * kMiB;
    std::ofstream(kV1Memory / slice_ / "memory.memsw.limit_in_bytes") << 64 * kMiB;
    set_mem_total_kib(16777216);
    try {
        tuner().apply(config_, false, 0);
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::Io);
        EXPECT_EQ(e.exit_code(), 2);
        EXPECT_EQ(e.result().action, TuneAction::Failed);
        EXPECT_EQ(e.result().after.limit_bytes, 64 * kMiB);
        const std::string message = e.what();
        EXPECT_NE(message.find("cannot write 12884901888 to " +
                               (kV1Memory / slice_ / "memory.limit_in_bytes").string()),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("the limit in force stays 64 MiB"), std::string::npos) << message;
    }
    EXPECT_EQ(limit_file_text(), std::to_string(64 * kMiB) + "\n");
}

TEST_F(CgroupV1Test, RefusedReserveWritesNothing) {
    set_mem_total_kib(16777216);
    config_.reserved_host_memory_mb = 16384; // == MemTotal
    EXPECT_THROW(tuner().apply(config_, false, 0), TuneError);
    EXPECT_FALSE(fs::exists(kV1Memory / slice_));
}

TEST_F(CgroupV1Test, HierarchyWithoutMemoryControllerIsRefusedByName) {
    try {
        CgroupfsBackend backend({"/sys/fs/cgroup/cpu", 1}, slice_, 4096);
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "/sys/fs/cgroup/cpu is not a cgroup v1 memory hierarchy (no "
                  "memory.limit_in_bytes)");
    }
}

TEST(CgroupV2Test, UnifiedMountWithoutMemoryControllerIsAnError) {
    const auto controllers = test::read_text(kUnified / "cgroup.controllers");
    if (!controllers)
        GTEST_SKIP() << "no cgroup2 mount at " << kUnified;
    if (controllers->find("memory") != std::string::npos)
        GTEST_SKIP() << "this cgroup2 mount has the memory controller";
    const std::string slice = "sevd-test-" + std::to_string(getpid()) + ".slice";
    try {
        TunerOptions options;
        options.backend = BackendChoice::Cgroupfs;
        options.cgroup_mount = CgroupMount{kUnified, 2};
        options.slice = slice;
        MemoryLimitTuner tuner(options);
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::Io);
        // cgroup.controllers holds one line, e.g. "hugetlb\n" here.
        std::string listed = *controllers;
        if (!listed.empty() && listed.back() == '\n')
            listed.pop_back();
        EXPECT_EQ(std::string(e.what()), "the cgroup v2 hierarchy at /sys/fs/cgroup/unified has no "
                                         "memory controller (cgroup.controllers: \"" +
                                             listed + "\")");
        EXPECT_NE(e.hint().find("systemd.unified_cgroup_hierarchy=1"), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(kUnified / slice)); // nothing created
}

} // namespace
} // namespace sevd::cgroups
