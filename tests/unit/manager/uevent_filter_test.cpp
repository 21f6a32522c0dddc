#include <gtest/gtest.h>

#include "manager/uevent_filter.h"

namespace sevd::manager {
namespace {

TEST(UeventFilter, SevAndKvmMiscDevicesAreRelevant) {
    EXPECT_TRUE(is_relevant_uevent("misc", "sev"));
    EXPECT_TRUE(is_relevant_uevent("misc", "kvm"));
}

TEST(UeventFilter, KvmAmdAndCcpModulesAreRelevant) {
    EXPECT_TRUE(is_relevant_uevent("module", "kvm_amd"));
    EXPECT_TRUE(is_relevant_uevent("module", "ccp"));
}

TEST(UeventFilter, OtherDevicesAndModulesAreNot) {
    EXPECT_FALSE(is_relevant_uevent("misc", "tun"));
    EXPECT_FALSE(is_relevant_uevent("module", "kvm_intel"));
    EXPECT_FALSE(is_relevant_uevent("block", "sev")); // right name, wrong subsystem
    EXPECT_FALSE(is_relevant_uevent("", ""));
}

} // namespace
} // namespace sevd::manager
