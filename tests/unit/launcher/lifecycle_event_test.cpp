// Which libvirt lifecycle events free a guest's ASID slot and locked memory.
// Expected values come from libvirt's virDomainEventType documentation: only
// STOPPED means the emulator process (the ASID holder) is gone.
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "launcher/lifecycle_event.h"

namespace sevd::launcher {
namespace {

TEST(LifecycleEvent, EveryStoppedDetailReleasesWithItsReason) {
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN),
              "shut down");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
              "destroyed (forced off from the host)");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED), "crashed");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED),
              "migrated to another host");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED),
              "saved to a state file");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED),
              "failed (the emulator or libvirt stopped it on an error)");
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT),
              "stopped by loading an offline snapshot");
}

TEST(LifecycleEvent, UnknownStoppedDetailStillReleases) {
    // A detail a newer libvirt may add: the domain is stopped all the same.
    EXPECT_EQ(stop_reason(VIR_DOMAIN_EVENT_STOPPED, 99), "stopped (libvirt detail 99)");
}

TEST(LifecycleEvent, EventsOfARunningOrMerelyUndefinedDomainKeepTheSlot) {
    // Undefining a running domain leaves it running (transient); a shutdown
    // request, a pause, a guest panic with the domain preserved: still running.
    for (const int event :
         {VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_STARTED,
          VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_SHUTDOWN,
          VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_CRASHED})
        EXPECT_EQ(stop_reason(event, 0), std::nullopt) << "event " << event;
}

// Issue 13 (1): a domain that starts, whoever started it, must be counted.
TEST(LifecycleEvent, OnlyStartedMeansANewHolder) {
    EXPECT_TRUE(is_start(VIR_DOMAIN_EVENT_STARTED));
    EXPECT_FALSE(is_start(VIR_DOMAIN_EVENT_RESUMED)); // a paused guest kept its ASID
    EXPECT_FALSE(is_start(VIR_DOMAIN_EVENT_DEFINED));
    EXPECT_FALSE(is_start(VIR_DOMAIN_EVENT_STOPPED));
}

TEST(LifecycleEvent, CloseReasonsReadAsWords) {
    EXPECT_EQ(close_reason(VIR_CONNECT_CLOSE_REASON_EOF),
              "libvirtd closed the connection (stopped, restarted or crashed)");
    EXPECT_EQ(close_reason(VIR_CONNECT_CLOSE_REASON_KEEPALIVE),
              "libvirtd stopped answering keepalive probes");
    EXPECT_EQ(close_reason(VIR_CONNECT_CLOSE_REASON_ERROR), "an I/O error on the connection");
    EXPECT_EQ(close_reason(VIR_CONNECT_CLOSE_REASON_CLIENT), "closed by sevd");
    EXPECT_EQ(close_reason(7), "closed (libvirt reason 7)");
}

} // namespace
} // namespace sevd::launcher
