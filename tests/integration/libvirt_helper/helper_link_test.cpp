// HelperLink and HelperDomains (libvirt_helper/) against the real
// sevd-libvirt binary. libvirt's test driver runs inside the helper, so a
// domain the launcher defines there lives as long as that helper does.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <thread>

#include <gtest/gtest.h>

#include "launch_test_host.h"
#include "launcher/launcher.h"
#include "libvirt_helper/helper_domains.h"
#include "libvirt_helper/helper_facts.h"
#include "libvirt_helper/helper_link.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace sevd::libvirt_helper {
namespace {

using namespace std::chrono_literals;
using launcher::ErrorCode;
using launcher::LaunchError;

const std::filesystem::path kHelper = SEVD_BINARY_DIR "/cli/sevd-libvirt";
constexpr const char* kTestUri = "test:///default";
constexpr const char* kUnreachable = "qemu+unix:///system?socket=/nonexistent/sevd-test-sock";
constexpr auto kSettle = 10s;

using test::process_gone;
using test::wait_until;

// What the link's handlers were told, thread-safe.
struct Seen {
    std::mutex mutex;
    std::vector<launcher::DomainStopped> stopped;
    std::vector<std::string> closed;

    HelperLink::Handlers handlers() {
        HelperLink::Handlers h;
        h.on_domain_stopped = [this](launcher::DomainStopped s) {
            std::lock_guard lock(mutex);
            stopped.push_back(std::move(s));
        };
        h.on_connection_closed = [this](std::string reason) {
            std::lock_guard lock(mutex);
            closed.push_back(std::move(reason));
        };
        return h;
    }
    size_t closed_count() {
        std::lock_guard lock(mutex);
        return closed.size();
    }
};

ErrorCode error_of(const std::function<void()>& call, std::string* message = nullptr) {
    try {
        call();
    } catch (const LaunchError& e) {
        if (message)
            *message = e.what();
        return e.code();
    }
    ADD_FAILURE() << "no LaunchError";
    return ErrorCode::InvalidArgument;
}

TEST(HelperLink, DomainCallsReachTheTestDriverInsideTheHelper) {
    Seen seen;
    HelperLink link(kHelper, kTestUri, seen.handlers());
    HelperDomains domains(link);
    domains.ensure_connected();
    ASSERT_TRUE(link.helper_pid());
    // Helper 1, its connection 1.
    EXPECT_EQ(domains.generation(), (uint64_t{1} << 32) | 1);
    // The test driver's own domain "test" runs, unencrypted.
    EXPECT_TRUE(domains.domain_exists("test"));
    EXPECT_FALSE(domains.domain_exists("no-such-guest"));
    const auto record = domains.find_domain("test");
    ASSERT_TRUE(record);
    EXPECT_FALSE(record->pool);
    EXPECT_FALSE(record->launched_by_sevd);
    EXPECT_TRUE(domains.list_encrypted_running().empty());
    EXPECT_FALSE(domains.destroy_and_undefine("00000000-0000-4000-8000-000000000000"));
}

TEST(HelperLink, TheLauncherLaunchesAndStopsThroughTheHelperWithItsEvents) {
    Seen seen;
    HelperLink link(kHelper, kTestUri, seen.handlers());
    launcher::testhost::ImageDir images("helper-images");
    launcher::Launcher launcher(images.config(kTestUri), std::make_unique<HelperDomains>(link));
    launcher.update_host(launcher::testhost::sev_host(2, 2), 0);
    launcher.resync();

    const auto info = launcher.launch(
        {"via-helper", 512, 1, images.disk(), {{"hw_mem_encryption_model", "amd-sev-es"}}});
    EXPECT_EQ(info.model, EncryptionModel::SevEs);
    EXPECT_EQ(info.uuid.size(), 36u);
    EXPECT_EQ(launcher.usage().sev_es.running, 1u);
    // The helper re-reads it as an encrypted guest sevd launched.
    launcher.resync();
    ASSERT_EQ(launcher.guests().size(), 1u);
    EXPECT_EQ(launcher.guests().front().uuid, info.uuid);

    launcher.stop("via-helper");
    EXPECT_TRUE(launcher.guests().empty());
    // libvirt's lifecycle event crossed the link: the guest stopped (destroyed).
    ASSERT_TRUE(wait_until(
        [&] {
            std::lock_guard lock(seen.mutex);
            return !seen.stopped.empty();
        },
        kSettle));
    std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.stopped.front().name, "via-helper");
    EXPECT_EQ(seen.stopped.front().uuid, info.uuid);
}

TEST(HelperLink, AKilledHelperIsAnnouncedAndReplacedWithANewGeneration) {
    Seen seen;
    HelperLink link(kHelper, kTestUri, seen.handlers());
    HelperDomains domains(link);
    domains.ensure_connected();
    const pid_t first = *link.helper_pid();
    const uint64_t first_generation = domains.generation();

    ASSERT_EQ(::kill(first, SIGKILL), 0);
    ASSERT_TRUE(wait_until([&] { return seen.closed_count() == 1; }, kSettle)) << "no announcement";
    {
        std::lock_guard lock(seen.mutex);
        EXPECT_NE(seen.closed.front().find("killed by signal 9"), std::string::npos)
            << seen.closed.front();
    }
    EXPECT_FALSE(link.helper_pid()); // reaped, nothing runs until the next call

    domains.ensure_connected(); // starts helper 2
    ASSERT_TRUE(link.helper_pid());
    EXPECT_NE(*link.helper_pid(), first);
    EXPECT_EQ(domains.generation(), (uint64_t{2} << 32) | 1);
    EXPECT_NE(domains.generation(), first_generation);
}

TEST(HelperLink, UnreachableLibvirtIsReportedAndLeavesNoHelperRunning) {
    Seen seen;
    HelperLink link(kHelper, kUnreachable, seen.handlers());
    const auto facts = read_facts_through(link, "/", kUnreachable, "q35");
    EXPECT_FALSE(facts.connected);
    EXPECT_NE(facts.connect_error.find("nonexistent"), std::string::npos) << facts.connect_error;
    // It held no connection, so it was told to exit (and nothing announced).
    EXPECT_FALSE(link.helper_pid());

    HelperDomains domains(link);
    std::string message;
    EXPECT_EQ(error_of([&] { domains.ensure_connected(); }, &message), ErrorCode::Libvirt);
    EXPECT_NE(message.find("cannot connect to libvirt"), std::string::npos) << message;
    EXPECT_FALSE(link.helper_pid());
    EXPECT_EQ(seen.closed_count(), 0u);
}

TEST(HelperLink, ASnapshotRootKeepsItsDomainCapabilitiesWhateverTheHelperSays) {
    // rome-split-asids holds libvirt/domcapabilities.xml: SEV supported, cbitpos 47.
    HelperLink link("/nonexistent/sevd-libvirt", kTestUri, {});
    const auto facts =
        read_facts_through(link, SEVD_FIXTURES_DIR "/rome-split-asids", kTestUri, "q35");
    EXPECT_FALSE(facts.connected);
    EXPECT_NE(facts.connect_error.find("cannot start /nonexistent/sevd-libvirt"), std::string::npos)
        << facts.connect_error;
    ASSERT_TRUE(facts.domcaps.value) << facts.domcaps.error;
    EXPECT_TRUE(facts.domcaps.value->supported);
    EXPECT_EQ(facts.domcaps.value->cbitpos, 47u);
}

TEST(HelperLink, AHelperThatNeverAnswersIsKilledAtTheTimeout) {
    sevd::test::TempDir dir;
    const auto mute = dir.path() / "mute-helper";
    std::ofstream(mute) << "#!/bin/sh\nexec sleep 600\n";
    ::chmod(mute.c_str(), 0755);
    Seen seen;
    HelperLink link(mute, kTestUri, seen.handlers());
    std::string message;
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(
        error_of([&] { link.call(method::kEnsureConnected, nlohmann::json::object(), 300ms); },
                 &message),
        ErrorCode::Libvirt);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_NE(message.find("did not answer EnsureConnected within 0.3 s"), std::string::npos)
        << message;
    // Killed by PID, reaped, announced like a lost connection.
    ASSERT_TRUE(wait_until([&] { return seen.closed_count() == 1; }, kSettle));
    EXPECT_FALSE(link.helper_pid());
}

TEST(HelperLink, StopEndsTheHelperAndRefusesLaterCalls) {
    HelperLink link(kHelper, kTestUri, {});
    HelperDomains domains(link);
    domains.ensure_connected();
    const pid_t pid = *link.helper_pid();
    link.stop();
    EXPECT_TRUE(wait_until([&] { return process_gone(pid); }, kSettle))
        << "helper " << pid << " still runs";
    std::string message;
    EXPECT_EQ(error_of([&] { domains.ensure_connected(); }, &message), ErrorCode::Libvirt);
    EXPECT_NE(message.find("stopping"), std::string::npos) << message;
}

TEST(HelperLink, ANewUriStopsTheHelperForTheOldOne) {
    HelperLink link(kHelper, kTestUri, {});
    HelperDomains domains(link);
    domains.ensure_connected();
    const pid_t old = *link.helper_pid();
    link.set_uri(kUnreachable);
    EXPECT_TRUE(wait_until([&] { return process_gone(old); }, kSettle));
    HelperDomains unreachable(link);
    EXPECT_EQ(unreachable.uri(), kUnreachable);
    EXPECT_EQ(error_of([&] { unreachable.ensure_connected(); }), ErrorCode::Libvirt);
}

TEST(HelperLink, ConcurrentCallsAreAnsweredEachToItsCaller) {
    HelperLink link(kHelper, kTestUri, {});
    HelperDomains domains(link);
    std::atomic<int> right{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const bool test = (t + i) % 2 == 0;
                if (domains.domain_exists(test ? "test" : "absent-" + std::to_string(t)) == test)
                    ++right;
            }
        });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(right.load(), 200);
}

} // namespace
} // namespace sevd::libvirt_helper
