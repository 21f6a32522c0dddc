#include <gtest/gtest.h>

#include "cgroups/cgroup_limit_file.h"

namespace sevd::cgroups {
namespace {

TEST(CgroupLimitFile, FileNamePerVersion) {
    EXPECT_EQ(limit_file_name(1), "memory.limit_in_bytes");
    EXPECT_EQ(limit_file_name(2), "memory.max");
}

TEST(CgroupLimitFile, PathJoinsMountSliceAndFile) {
    EXPECT_EQ(limit_file_path({"/sys/fs/cgroup/memory", 1}, "machine.slice"),
              "/sys/fs/cgroup/memory/machine.slice/memory.limit_in_bytes");
    EXPECT_EQ(limit_file_path({"/sys/fs/cgroup", 2}, "machine.slice"),
              "/sys/fs/cgroup/machine.slice/memory.max");
}

TEST(CgroupLimitFile, FormatIsDecimalBytesOrTheNoLimitWord) {
    EXPECT_EQ(format_limit(2, 20981542912ull), "20981542912");
    EXPECT_EQ(format_limit(1, 20981542912ull), "20981542912");
    EXPECT_EQ(format_limit(2, 0), "max");
    EXPECT_EQ(format_limit(1, 0), "-1");
}

TEST(CgroupLimitFile, ParseV2) {
    EXPECT_EQ(parse_limit(2, "max\n", 4096), 0u);
    EXPECT_EQ(parse_limit(2, "20981542912\n", 4096), 20981542912ull);
    EXPECT_FALSE(parse_limit(2, "", 4096));
    EXPECT_FALSE(parse_limit(2, "lots", 4096));
}

TEST(CgroupLimitFile, ParseV1UnlimitedIsPageCounterMax) {
    // PAGE_COUNTER_MAX = LONG_MAX / 4096 = 2251799813685247 pages
    // = 9223372036854771712 bytes: the value an unlimited v1 cgroup shows.
    EXPECT_EQ(parse_limit(1, "9223372036854771712\n", 4096), 0u);
    EXPECT_EQ(parse_limit(1, "9223372036854771711\n", 4096), 9223372036854771711ull);
    EXPECT_EQ(parse_limit(1, "1073741824", 4096), 1073741824ull);
    EXPECT_FALSE(parse_limit(1, "max", 4096)); // v1 never says "max"
}

} // namespace
} // namespace sevd::cgroups
