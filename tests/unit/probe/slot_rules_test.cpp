#include <gtest/gtest.h>

#include "probe/slot_rules.h"

namespace sevd::probe {
namespace {

TEST(SlotRules, TotalIsSmallestSource) {
    SlotInputs in;
    in.cpuid_range = 509;
    in.kernel_enabled = true;
    EXPECT_EQ(compute_slots(in).total, 509u); // CPUID only
    in.misc_capacity = 400;
    EXPECT_EQ(compute_slots(in).total, 400u);
    in.libvirt_max = 300;
    EXPECT_EQ(compute_slots(in).total, 300u);
    in.config_cap = 8;
    EXPECT_EQ(compute_slots(in).total, 8u);
    in.kernel_enabled = false; // parameter off: 0 whatever the rest says
    EXPECT_EQ(compute_slots(in).total, 0u);
}

TEST(SlotRules, UsedPrefersMiscCurrent) {
    SlotInputs in;
    in.cpuid_range = 10;
    in.kernel_enabled = true;
    EXPECT_EQ(compute_slots(in).used, 0u); // no source
    EXPECT_FALSE(compute_slots(in).used_by_kernel);
    in.libvirt_running = 2;
    EXPECT_EQ(compute_slots(in).used, 2u);
    EXPECT_FALSE(compute_slots(in).used_by_kernel); // libvirt's guests: the ledger's own view
    in.misc_current = 5;
    EXPECT_EQ(compute_slots(in).used, 5u);
    EXPECT_TRUE(compute_slots(in).used_by_kernel); // a floor for admission
}

TEST(SlotRules, ExplanationListsSources) {
    SlotInputs in;
    in.cpuid_range = 509;
    in.kernel_enabled = true;
    in.misc_capacity = 509;
    in.misc_current = 2;
    EXPECT_EQ(explain_slots(in, compute_slots(in)),
              "CPUID 509, misc.capacity 509 -> 509 total; 2 used (misc.current)");
}

} // namespace
} // namespace sevd::probe
