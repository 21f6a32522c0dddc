// GuestManager on a real Launcher over libvirt's test driver, without a bus:
// each member answers its caller first (on the loop thread), then announces
// what changed and has the slots re-read; a refusal answers with the named
// error and announces nothing.
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/launch_error.h"
#include "libvirt_helper/libvirt_client.h"
#include "manager/guest_manager.h"
#include "tests/integration/launcher/launch_test_host.h"

namespace sevd::manager {
namespace {

constexpr const char* kTestUri = "test:///default";

// The announcements, in order, with the answers and the slot re-reads among them.
class RecordingAnnouncer final : public Announcer {
public:
    std::vector<std::string> events;
    void report_changed(const probe::HostReport&) override { events.emplace_back("report"); }
    void tuning_changed(const TuningState&) override { events.emplace_back("tuning"); }
    void guest_launched(const launcher::GuestInfo& guest) override {
        events.push_back("launched " + guest.name);
    }
    void guest_stopped(const launcher::GuestInfo& guest) override {
        events.push_back("stopped " + guest.name);
    }
    void guests_changed() override { events.emplace_back("guests"); }
};

launcher::LaunchRequest request(const std::string& name, const std::string& disk,
                                const std::string& model = "amd-sev") {
    return {name, 512, 1, disk, {{"hw_mem_encryption_model", model}}};
}

launcher::ErrorCode code_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const launcher::LaunchError& e) {
        return e.code();
    } catch (...) {
        ADD_FAILURE() << "not a LaunchError";
    }
    return launcher::ErrorCode::Libvirt;
}

class GuestManagerTest : public testing::Test {
protected:
    GuestManagerTest() {
        auto launcher = std::make_shared<launcher::Launcher>(
            images_.config(kTestUri), std::make_unique<libvirt_helper::LibvirtClient>(kTestUri));
        launcher->update_host(launcher::testhost::sev_host(10, 10), 0);
        launcher->resync();
        guests_ =
            std::make_unique<GuestManager>(loop_, workers_, launcher, stats_, announcer_,
                                           [this] { announcer_.events.emplace_back("slots"); });
    }

    // A continuation that records the answer (checking it comes on the loop
    // thread); `last` ends the loop run once it came.
    template <typename Value>
    Then<Value> answer_into(std::optional<Outcome<Value>>& into, bool last) {
        return [this, &into, last](Outcome<Value> outcome) {
            EXPECT_EQ(std::this_thread::get_id(), loop_thread_);
            announcer_.events.emplace_back(outcome.ok() ? "answered" : "refused");
            into = std::move(outcome);
            if (last)
                loop_.quit(0);
        };
    }
    void run_loop() {
        loop_thread_ = std::this_thread::get_id();
        loop_.run();
    }

    launcher::testhost::ImageDir images_{"gm-images"};
    MainLoop loop_;
    WorkerPool workers_{2};
    exports::LaunchStats stats_;
    RecordingAnnouncer announcer_;
    std::thread::id loop_thread_;
    std::unique_ptr<GuestManager> guests_; // last: gone before what it uses
};

TEST_F(GuestManagerTest, LaunchAnswersThenAnnouncesTheGuestThenRereadsTheSlots) {
    std::optional<Outcome<launcher::GuestInfo>> launched;
    guests_->launch(request("gm-launch", images_.disk()), answer_into(launched, true));
    run_loop();
    ASSERT_TRUE(launched && launched->ok());
    EXPECT_EQ(launched->value->name, "gm-launch");
    EXPECT_EQ(announcer_.events,
              (std::vector<std::string>{"answered", "launched gm-launch", "guests", "slots"}));
    EXPECT_EQ(guests_->guests().size(), 1u);
    EXPECT_EQ(stats_.counts().count, 1u);
    guests_->launcher().stop("gm-launch");
}

TEST_F(GuestManagerTest, ARefusalAnswersWithItsNamedErrorAndAnnouncesNothing) {
    std::optional<Outcome<launcher::GuestInfo>> refused;
    guests_->launch(request("gm-refused", images_.disk(), "amd-sev-snp"),
                    answer_into(refused, true));
    run_loop();
    ASSERT_TRUE(refused && !refused->ok());
    EXPECT_EQ(code_of(refused->error), launcher::ErrorCode::Unsupported);
    EXPECT_EQ(announcer_.events, (std::vector<std::string>{"refused"}));
    EXPECT_TRUE(guests_->guests().empty());
    EXPECT_EQ(stats_.counts().count, 0u); // counted as a refusal, not a launch
}

TEST_F(GuestManagerTest, StopAnswersThenAnnouncesTheGuestStopped) {
    guests_->launcher().launch(request("gm-stop", images_.disk()));
    std::optional<Outcome<launcher::GuestInfo>> stopped;
    guests_->stop("gm-stop", answer_into(stopped, true));
    run_loop();
    ASSERT_TRUE(stopped && stopped->ok());
    EXPECT_EQ(announcer_.events,
              (std::vector<std::string>{"answered", "stopped gm-stop", "guests", "slots"}));
    EXPECT_TRUE(guests_->guests().empty());
}

TEST_F(GuestManagerTest, PlanAndAStopOfAnUnknownGuestChangeNothing) {
    std::optional<Outcome<std::string>> plan;
    std::optional<Outcome<launcher::GuestInfo>> unknown;
    guests_->plan(request("gm-plan", images_.disk()), answer_into(plan, false));
    guests_->stop("gm-nobody", answer_into(unknown, false));
    // Both answers are posted by the workers; the loop ends once both came.
    std::function<void()> until_both = [&] {
        if (plan && unknown)
            loop_.quit(0);
        else
            loop_.run_after(std::chrono::milliseconds(5), until_both);
    };
    loop_.post(until_both);
    run_loop();
    ASSERT_TRUE(plan->ok());
    EXPECT_NE(plan->value->find("<launchSecurity type=\"sev\""), std::string::npos);
    ASSERT_FALSE(unknown->ok());
    EXPECT_EQ(code_of(unknown->error), launcher::ErrorCode::InvalidArgument);
    EXPECT_EQ(announcer_.events.size(), 2u); // the two answers, nothing announced
    EXPECT_TRUE(guests_->guests().empty());
}

} // namespace
} // namespace sevd::manager
