// The readers that take a root: MemTotal and the systemd check, pointed at
// small snapshot roots this test writes.
#include <gtest/gtest.h>

#include "cgroups/meminfo_source.h"
#include "cgroups/systemd_backend.h"
#include "cgroups/tune_error.h"
#include "tests/support/temp_dir.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

class HostRoot : public ::testing::Test {
protected:
    void write(const fs::path& relative, const std::string& text) {
        test::write_file(root_ / relative, text);
    }
    test::TempDir dir_{"sevd-cgroups-root"};
    const fs::path root_ = dir_.path();
};

TEST_F(HostRoot, MemTotalFromProcMeminfo) {
    write("proc/meminfo", "MemTotal:       24684092 kB\nMemFree:        20000000 kB\n");
    EXPECT_EQ(read_mem_total_bytes(root_), 24684092ull * 1024); // = 25276510208
}

TEST_F(HostRoot, MissingMeminfoIsAnIoError) {
    try {
        read_mem_total_bytes(root_);
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::Io);
        EXPECT_EQ(e.exit_code(), 2);
    }
}

TEST_F(HostRoot, MeminfoWithoutMemTotalIsAnIoError) {
    write("proc/meminfo", "MemFree:        20000000 kB\n");
    EXPECT_THROW(read_mem_total_bytes(root_), TuneError);
}

TEST_F(HostRoot, SystemdManagesSlicesWhenBootedWithSystemdAsPid1) {
    write("run/systemd/system/.keep", "");
    write("proc/1/comm", "systemd\n");
    EXPECT_TRUE(systemd_manages_slices(root_));
}

TEST_F(HostRoot, NoRunSystemdSystemMeansNoSystemd) {
    write("proc/1/comm", "systemd\n");
    EXPECT_FALSE(systemd_manages_slices(root_));
}

TEST_F(HostRoot, OtherPid1MeansNoSystemd) {
    // e.g. a container whose PID 1 is a shell while /run/systemd was bind-mounted
    write("run/systemd/system/.keep", "");
    write("proc/1/comm", "bash\n");
    EXPECT_FALSE(systemd_manages_slices(root_));
}

TEST(HostCgroupVersion, ThisMachineHasATmpfsCgroupRoot) {
    // This machine mounts a tmpfs at /sys/fs/cgroup with v1 hierarchies below it.
    if (!fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
        GTEST_SKIP() << "not the cgroup v1 test machine";
    EXPECT_EQ(host_cgroup_version("/"), 1);
}

} // namespace
} // namespace sevd::cgroups
