// uid_in_group() against this machine's own user database (Debian base
// accounts: uid 0 root in group root, nobody not in root).
#include <gtest/gtest.h>

#include "dbus/unix_group.h"

namespace sevd::dbus {
namespace {

TEST(UnixGroup, RootIsInGroupRoot) {
    EXPECT_TRUE(uid_in_group(0, "root"));
}

TEST(UnixGroup, NobodyIsNotInGroupRoot) {
    EXPECT_FALSE(uid_in_group(65534, "root"));
}

TEST(UnixGroup, AMissingGroupHasNoMembers) {
    EXPECT_FALSE(uid_in_group(0, "sevd-no-such-group"));
}

TEST(UnixGroup, AnUnknownUidIsInNoGroup) {
    EXPECT_FALSE(uid_in_group(4000000000u, "root"));
}

} // namespace
} // namespace sevd::dbus
