// Fault: 1,000 D-Bus calls in flight at once (Host1.Describe, Properties.GetAll
// on Host1, Launcher1.Plan), sent asynchronously from 10 client connections.
// Every call gets an answer (a reply or a named error), and a GetAll issued on
// another connection while they are queued is answered within 1 s.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <gtest/gtest.h>

#include "tests/integration/faults/fault_harness.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test::faults {
namespace {

// 10 × 100: each connection stays under dbus-daemon's default limit of pending
// replies per connection (128), so the bus itself refuses none of them.
constexpr int kConnections = 10;
constexpr int kCallsPerConnection = 100;
constexpr int kCalls = kConnections * kCallsPerConnection;

struct Tally {
    std::mutex mutex;
    std::condition_variable all_in;
    int replies = 0;
    std::map<std::string, int> errors; // error name → count
    void count(const sdbus::Error* error) {
        {
            std::lock_guard lock(mutex);
            if (error == nullptr)
                ++replies;
            else
                ++errors[error->getName()];
        }
        all_in.notify_all();
    }
    int answered() {
        int n = replies;
        for (const auto& [name, count] : errors)
            n += count;
        return n;
    }
};

enum class CallKind { Describe, GetAll, Plan, Refresh };

// One client connection with its proxies; calls are sent before its event
// loop starts, so sd-bus is only used from one thread at a time.
struct FloodClient {
    std::unique_ptr<sdbus::IConnection> conn;
    std::unique_ptr<sdbus::IProxy> host;
    std::unique_ptr<sdbus::IProxy> launcher;
};

class CallFlood : public testing::Test {
protected:
    void SetUp() override {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        root_ = setup.root;
        disk_ = setup.disk;
        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }

    void send(FloodClient& client, CallKind kind, int call, Tally& tally) {
        const auto on_reply = [&tally](const sdbus::Error* error, const auto&...) {
            tally.count(error);
        };
        switch (kind) {
        case CallKind::Describe:
            client.host->callMethodAsync("Describe")
                .onInterface(kHostInterface)
                .uponReplyInvoke([on_reply](const sdbus::Error* e, std::string) { on_reply(e); });
            break;
        case CallKind::GetAll:
            client.host->callMethodAsync("GetAll")
                .onInterface(kPropertiesInterface)
                .withArguments(std::string(kHostInterface))
                .uponReplyInvoke(
                    [on_reply](const sdbus::Error* e, std::map<std::string, sdbus::Variant>) {
                        on_reply(e);
                    });
            break;
        case CallKind::Plan:
            client.launcher->callMethodAsync("Plan")
                .onInterface(kLauncherInterface)
                .withArguments("flood-" + std::to_string(call), uint64_t{512}, uint32_t{1}, disk_,
                               std::map<std::string, std::string>{})
                .uponReplyInvoke([on_reply](const sdbus::Error* e, std::string) { on_reply(e); });
            break;
        case CallKind::Refresh:
            client.host->callMethodAsync("Refresh")
                .onInterface(kHostInterface)
                .uponReplyInvoke([on_reply](const sdbus::Error* e) { on_reply(e); });
            break;
        }
    }

    // Sends kCalls calls (kind_of(i) for the i-th), then a GetAll from another
    // connection; expects the GetAll within 1 s and every flood call answered.
    void flood_and_expect_responsive(const std::function<CallKind(int)>& kind_of) {
        HostView observer(bus_->address());
        // Plan needs libvirt's view of the host (connected in the background).
        ASSERT_TRUE(wait_until([&] { return observer.describe().at("ready") == true; }, kSettle))
            << daemon_->log();

        Tally tally;
        std::vector<FloodClient> clients(kConnections);
        for (auto& client : clients) {
            client.conn = connect_to(bus_->address());
            client.host = sdbus::createProxy(*client.conn, kHostName, kHostPath);
            client.launcher = sdbus::createProxy(*client.conn, kHostName, kLauncherPath);
            client.host->finishRegistration();
            client.launcher->finishRegistration();
        }
        int call = 0;
        for (auto& client : clients)
            for (int i = 0; i < kCallsPerConnection; ++i, ++call)
                send(client, kind_of(call), call, tally);
        for (auto& client : clients)
            client.conn->enterEventLoopAsync(); // flushes the queued calls, reads the replies

        const auto asked = std::chrono::steady_clock::now();
        std::map<std::string, sdbus::Variant> all;
        EXPECT_NO_THROW(all = observer.get_all(kGetAllTimeout)) << daemon_->log();
        const auto answered = std::chrono::steady_clock::now() - asked;
        int in_at_answer = 0;
        {
            std::lock_guard lock(tally.mutex);
            in_at_answer = tally.answered();
        }
        if (kResponsivenessBoundApplies) {
            EXPECT_LT(answered, kResponsivenessBound) << "GetAll during the flood";
        }
        EXPECT_EQ(all.count("Ready"), 1u);
        {
            std::unique_lock lock(tally.mutex);
            EXPECT_TRUE(
                tally.all_in.wait_for(lock, 60s, [&] { return tally.answered() == kCalls; }))
                << tally.answered() << " of " << kCalls << " answered";
            for (const auto& [name, count] : tally.errors)
                ADD_FAILURE() << count << " calls failed with " << name;
            EXPECT_EQ(tally.replies, kCalls);
        }
        std::printf("GetAll during the flood answered in %lld us (%d of %d flood calls "
                    "answered by then)\n",
                    static_cast<long long>(
                        std::chrono::duration_cast<std::chrono::microseconds>(answered).count()),
                    in_at_answer, kCalls);
        for (auto& client : clients)
            client.conn->leaveEventLoop();
        EXPECT_FALSE(daemon_->process().poll_exit()) << daemon_->log();
    }

    TempDir dir_;
    std::filesystem::path root_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
};

TEST_F(CallFlood, ThousandConcurrentCallsAllAnsweredAndGetAllStaysUnderOneSecond) {
    constexpr CallKind kMix[] = {CallKind::Describe, CallKind::GetAll, CallKind::Plan};
    flood_and_expect_responsive([&](int call) { return kMix[call % 3]; });
}

// Refresh is open to anyone and re-probes on the daemon's main loop: a flood of
// it must not starve property reads either.
TEST_F(CallFlood, ThousandRefreshCallsAllAnsweredAndGetAllStaysUnderOneSecond) {
    flood_and_expect_responsive([](int) { return CallKind::Refresh; });
}

} // namespace
} // namespace sevd::test::faults
