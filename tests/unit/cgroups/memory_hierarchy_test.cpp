// Finding the memory controller's hierarchy in /proc/self/mounts the way
// libcgroup does (cgroups/memory_hierarchy.h), on mount tables of real host
// layouts: cgroup v1 (this CI machine), hybrid (v1 memory + v2 unified),
// pure v2, and none.
#include <gtest/gtest.h>

#include "cgroups/libcgroup_handle.h"
#include "cgroups/memory_hierarchy.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

// This machine's table (/proc/self/mounts here, cgroup lines and neighbours).
constexpr const char* kHybridMounts =
    "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
    "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
    "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
    "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

constexpr const char* kPureV2Mounts =
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n";

bool v2_lists_memory(const fs::path&) {
    return true;
}
bool v2_lists_nothing(const fs::path&) {
    return false;
}

TEST(MemoryHierarchy, V1MemoryMountWinsOverTheUnifiedOne) {
    const auto found = memory_hierarchy_from_mounts(kHybridMounts, v2_lists_memory);
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, (CgroupMount{"/sys/fs/cgroup/memory", 1}));
}

TEST(MemoryHierarchy, PureV2IsFoundWhenItsControllersListMemory) {
    const auto found = memory_hierarchy_from_mounts(kPureV2Mounts, v2_lists_memory);
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, (CgroupMount{"/sys/fs/cgroup", 2}));
    EXPECT_FALSE(memory_hierarchy_from_mounts(kPureV2Mounts, v2_lists_nothing));
}

TEST(MemoryHierarchy, ANameOptionOrAPrefixIsNotTheMemoryController) {
    const auto found = memory_hierarchy_from_mounts(
        "cgroup /sys/fs/cgroup/memoryish cgroup rw,name=memory,memory_recursiveprot 0 0\n"
        "cgroup /sys/fs/cgroup/m cgroup rw,cpuset,memory 0 0\n",
        v2_lists_nothing);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->root, "/sys/fs/cgroup/m");
}

TEST(MemoryHierarchy, EscapedBlanksInTheMountPointAreDecoded) {
    const auto found = memory_hierarchy_from_mounts(
        "cgroup /srv/cg\\040memory cgroup rw,memory 0 0\n", v2_lists_nothing);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->root, "/srv/cg memory");
}

TEST(MemoryHierarchy, NoMemoryControllerAndShortLinesAreNothing) {
    EXPECT_FALSE(memory_hierarchy_from_mounts("", v2_lists_memory));
    EXPECT_FALSE(memory_hierarchy_from_mounts("cgroup /x\n", v2_lists_memory));
    EXPECT_FALSE(memory_hierarchy_from_mounts("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n",
                                              v2_lists_memory));
}

TEST(MemoryHierarchy, TheLiveHostAgreesWithLibcgroup) {
    // Reads go to ours, writes to libcgroup's: the cgroupfs backend needs both
    // to name the same hierarchy (it checks again before each write).
    CgroupMount live;
    try {
        live = find_memory_hierarchy();
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no memory controller mounted here: " << e.what();
    }
    EXPECT_EQ(live, find_memory_mount());
}

} // namespace
} // namespace sevd::cgroups
