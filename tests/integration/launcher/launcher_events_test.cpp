// The launcher's libvirt event subscription against libvirt's test driver, in
// this process: test:///default is one shared driver state per process, so a
// second connection here plays the operator (or the guest) stopping a domain
// behind sevd's back, and libvirt's real event loop delivers the lifecycle
// event to the launcher's connection. (In another process a test:/// URI is a
// separate copy: tests/integration/dbus/launcher_events_test.cpp reaches a
// shared one through a real libvirtd instead.)
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include <gtest/gtest.h>

#include "launcher/launcher.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_event_loop.h"
#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/launcher/launch_test_host.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
using libvirt_helper::LibvirtEventLoop;
namespace {

using namespace std::chrono_literals;

constexpr const char* kTestUri = "test:///default";
// Generous: the event crosses libvirt's event thread only (no other process).
constexpr auto kEventTimeout = 10s;

// DomainStopped events as the launcher's handler receives them (on libvirt's
// event thread), waited on from the test thread.
class StoppedEvents {
public:
    LibvirtEvents handlers() {
        LibvirtEvents events;
        events.on_domain_stopped = [this](DomainStopped stopped) {
            {
                std::lock_guard lock(mutex_);
                events_.push_back(std::move(stopped));
            }
            arrived_.notify_all();
        };
        return events;
    }
    // The next event about `name` (earlier ones about other domains are dropped).
    std::optional<DomainStopped> next(const std::string& name) {
        std::unique_lock lock(mutex_);
        const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
        while (true) {
            while (!events_.empty()) {
                auto event = std::move(events_.front());
                events_.pop_front();
                if (event.name == name)
                    return event;
            }
            if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout && events_.empty())
                return std::nullopt;
        }
    }

private:
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<DomainStopped> events_;
};

// Another client of the same test driver state: stops domains from outside sevd.
class Outside {
public:
    Outside() {
        std::string error;
        conn_ = libvirt::open_read_write(kTestUri, error);
        EXPECT_TRUE(conn_) << error;
    }
    void destroy(const std::string& name) { act(name, virDomainDestroy); }
    void shutdown(const std::string& name) { act(name, virDomainShutdown); }

private:
    void act(const std::string& name, int (*action)(virDomainPtr)) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        ASSERT_TRUE(domain) << libvirt::last_error_message();
        ASSERT_EQ(action(domain.get()), 0) << libvirt::last_error_message();
    }
    libvirt::ConnectPtr conn_;
};

class TestDriverLaunchEvents : public testing::Test {
protected:
    void SetUp() override {
        // One SEV slot, so a slot that was not given back refuses the next launch.
        launcher_.update_host(testhost::sev_host(1, 1), 0);
        launcher_.resync(); // connects, and so subscribes
    }
    void TearDown() override {
        for (const auto& name : {"ev-a", "ev-b"}) {
            try {
                launcher_.stop(name);
            } catch (const LaunchError&) {
                // never launched, or already removed by the test
            }
        }
    }
    LaunchRequest request(const std::string& name) { return {name, 512, 1, images_.disk(), {}}; }

    LibvirtEventLoop loop_; // first: registered before the launcher connects
    StoppedEvents stopped_;
    testhost::ImageDir images_{"ev-images"};
    Launcher launcher_{images_.config(kTestUri),
                       std::make_unique<LibvirtClient>(kTestUri, stopped_.handlers())};
    Outside outside_;
};

TEST_F(TestDriverLaunchEvents, GuestDestroyedOutsideSevdFreesItsSlotAtOnce) {
    const auto guest = launcher_.launch(request("ev-a"));
    ASSERT_EQ(launcher_.usage().sev.used, 1u);

    outside_.destroy("ev-a");
    const auto event = stopped_.next("ev-a");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->uuid, guest.uuid);
    EXPECT_EQ(event->reason, "destroyed (forced off from the host)");

    EXPECT_EQ(launcher_.domain_stopped(*event), guest);
    EXPECT_TRUE(launcher_.guests().empty());
    // 0 running + 0 reserved; the 512 MiB + 16 MiB overhead are free again.
    EXPECT_EQ(launcher_.usage().sev.used, 0u);
    EXPECT_EQ(launcher_.usage().locked_bytes, 0u);
    // The freed single slot takes the next guest.
    EXPECT_NO_THROW(launcher_.launch(request("ev-b")));
}

TEST_F(TestDriverLaunchEvents, GuestThatShutsDownIsReportedAsShutDown) {
    const auto guest = launcher_.launch(request("ev-a"));
    outside_.shutdown("ev-a"); // what an ACPI power-off from inside the guest ends in
    const auto event = stopped_.next("ev-a");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->reason, "shut down");
    EXPECT_EQ(launcher_.domain_stopped(*event), guest);
    EXPECT_EQ(launcher_.usage().sev.used, 0u);
}

TEST_F(TestDriverLaunchEvents, StopThroughSevdIsNotReleasedOrReportedTwice) {
    const auto guest = launcher_.launch(request("ev-a"));
    EXPECT_EQ(launcher_.stop("ev-a"), guest);
    // libvirt reports the destroy sevd did itself; the launcher has nothing left to free.
    const auto event = stopped_.next("ev-a");
    ASSERT_TRUE(event);
    EXPECT_EQ(launcher_.domain_stopped(*event), std::nullopt);
    EXPECT_EQ(launcher_.usage().sev.used, 0u);
}

TEST_F(TestDriverLaunchEvents, LateEventAboutAnOlderGuestOfTheSameNameIsIgnored) {
    launcher_.launch(request("ev-a"));
    outside_.destroy("ev-a");
    const auto old_event = stopped_.next("ev-a");
    ASSERT_TRUE(old_event);
    // Before the event is handled: sevd stops (undefines) it and launches a new
    // ev-a, which takes the single slot again.
    launcher_.stop("ev-a");
    const auto successor = launcher_.launch(request("ev-a"));
    ASSERT_NE(successor.uuid, old_event->uuid);

    EXPECT_EQ(launcher_.domain_stopped(*old_event), std::nullopt);
    ASSERT_EQ(launcher_.guests().size(), 1u);
    EXPECT_EQ(launcher_.guests().front(), successor);
    EXPECT_EQ(launcher_.usage().sev.used, 1u);
}

TEST_F(TestDriverLaunchEvents, ResyncReportsAGuestThatStoppedUnseenOnce) {
    // As if the event was lost (connection down): only a re-sync finds the guest gone.
    const auto guest = launcher_.launch(request("ev-a"));
    outside_.destroy("ev-a");
    ASSERT_TRUE(stopped_.next("ev-a")); // delivered, but not handed to the launcher
    launcher_.resync();
    EXPECT_TRUE(launcher_.guests().empty());
    EXPECT_EQ(launcher_.usage().sev.used, 0u);
    EXPECT_EQ(launcher_.take_vanished(), std::vector<GuestInfo>{guest});
    EXPECT_TRUE(launcher_.take_vanished().empty());
    launcher_.resync();
    EXPECT_TRUE(launcher_.take_vanished().empty());
}

} // namespace
} // namespace sevd::launcher
