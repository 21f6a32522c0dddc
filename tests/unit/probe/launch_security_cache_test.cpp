#include <gtest/gtest.h>

#include "probe/launch_security_cache.h"

namespace sevd::probe {
namespace {

TEST(LaunchSecurityCache, RemembersADomainRunUntilAReadingMissesIt) {
    LaunchSecurityCache cache;
    cache.begin("test:///default");
    EXPECT_FALSE(cache.find("u1", 1));
    cache.keep("u1", 1, LaunchSecurityKind::Sev);
    cache.keep("u2", 2, LaunchSecurityKind::SevEs);
    cache.finish();

    cache.begin("test:///default");
    EXPECT_EQ(cache.find("u1", 1), LaunchSecurityKind::Sev);
    EXPECT_EQ(cache.find("u2", 2), LaunchSecurityKind::SevEs);
    EXPECT_FALSE(cache.find("u1", 3));            // started again: a new ID, its XML is read again
    cache.keep("u1", 1, LaunchSecurityKind::Sev); // u2 not seen: it stopped
    cache.finish();

    cache.begin("test:///default");
    EXPECT_TRUE(cache.find("u1", 1));
    EXPECT_FALSE(cache.find("u2", 2));
}

TEST(LaunchSecurityCache, AnotherUriStartsEmpty) {
    LaunchSecurityCache cache;
    cache.begin("qemu:///system");
    cache.keep("u1", 1, LaunchSecurityKind::Sev);
    cache.finish();
    cache.begin("qemu+ssh://other/system");
    EXPECT_FALSE(cache.find("u1", 1));
}

} // namespace
} // namespace sevd::probe
