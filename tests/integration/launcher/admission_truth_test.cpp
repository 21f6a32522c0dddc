// Issue 13 against libvirt's test driver, one numbered item each: guests
// started outside sevd count (1), an unknown outcome keeps its reservation
// (2), a reload keeps launches in flight (3), Stop goes by UUID (5), an
// unknown limit refuses (6), Plan refuses what can never be admitted (7).
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "launcher/launcher.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_event_loop.h"
#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/launcher/faulty_domains.h"
#include "tests/integration/launcher/is_active_shim.h"
#include "tests/integration/launcher/launch_test_host.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
using libvirt_helper::LibvirtEventLoop;
namespace {

using namespace std::chrono_literals;
using testhost::Call;
using testhost::Fault;

constexpr const char* kTestUri = "test:///default";
constexpr uint64_t kMiB = 1024 * 1024;

LaunchRequest request(const std::string& name, const std::string& disk,
                      const std::string& model = "amd-sev", uint64_t memory_mib = 512) {
    return {name, memory_mib, 1, disk, {{"hw_mem_encryption_model", model}}};
}

std::optional<LaunchError> refusal(const std::function<void()>& call) {
    try {
        call();
    } catch (const LaunchError& e) {
        return e;
    }
    return std::nullopt;
}

// virsh, in this process (test:///default is one state per process).
class Virsh {
public:
    Virsh() {
        std::string error;
        conn_ = libvirt::open_read_write(kTestUri, error);
        EXPECT_TRUE(conn_) << error;
    }
    void start_foreign(const std::string& name, const char* policy = "0x0033") {
        const std::string xml =
            "<domain type='kvm'><name>" + name +
            "</name><memory unit='MiB'>1024</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm"
            "</type></os><launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1"
            "</reducedPhysBits><policy>" +
            policy + "</policy></launchSecurity></domain>";
        libvirt::DomainPtr domain(virDomainDefineXML(conn_.get(), xml.c_str()));
        ASSERT_TRUE(domain) << libvirt::last_error_message();
        ASSERT_EQ(virDomainCreate(domain.get()), 0) << libvirt::last_error_message();
    }
    bool running(const std::string& name) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        return domain && virDomainIsActive(domain.get()) == 1;
    }
    bool defined(const std::string& name) {
        return static_cast<bool>(
            libvirt::DomainPtr(virDomainLookupByName(conn_.get(), name.c_str())));
    }
    void remove(const std::string& name) {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        if (!domain)
            return;
        if (virDomainIsActive(domain.get()) == 1)
            virDomainDestroy(domain.get());
        // The test driver knows no NVRAM flag: plain undefine then.
        if (virDomainUndefineFlags(domain.get(), VIR_DOMAIN_UNDEFINE_NVRAM) != 0)
            virDomainUndefine(domain.get());
    }

private:
    libvirt::ConnectPtr conn_;
};

// STARTED events as the launcher's handler gets them (libvirt's event thread).
class StartedEvents {
public:
    LibvirtEvents handlers() {
        LibvirtEvents events;
        events.on_domain_started = [this](DomainStarted started) {
            {
                std::lock_guard lock(mutex_);
                events_.push_back(std::move(started));
            }
            arrived_.notify_all();
        };
        return events;
    }
    std::optional<DomainStarted> next(const std::string& name) {
        std::unique_lock lock(mutex_);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
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
    std::deque<DomainStarted> events_;
};

class AdmissionTruth : public testing::Test {
protected:
    void SetUp() override {
        for (const auto& name : kNames)
            virsh_.remove(name);
        auto faulty = std::make_unique<testhost::FaultyDomains>(
            std::make_unique<LibvirtClient>(kTestUri, started_.handlers()), [] {
                return testhost::KernelView{1, 1, 0, 16 * kMiB};
            });
        faulty_ = faulty.get();
        launcher_ = std::make_unique<Launcher>(images_.config(kTestUri), std::move(faulty));
        launcher_->update_host(testhost::sev_host(1, 1), 0); // one slot per pool
        launcher_->resync();
    }
    void TearDown() override {
        launcher_.reset();
        for (const auto& name : kNames)
            virsh_.remove(name);
    }
    void fail_next(Call which, Fault fault) {
        auto armed = std::make_shared<std::atomic<bool>>(true);
        faulty_->set_faults([which, fault, armed](Call call) {
            return call == which && armed->exchange(false) ? fault : Fault::None;
        });
    }

    static constexpr std::array<const char*, 4> kNames = {"tr-a", "tr-b", "tr-foreign", "tr-x"};
    LibvirtEventLoop loop_;
    StartedEvents started_;
    testhost::ImageDir images_{"truth-images"};
    Virsh virsh_;
    testhost::FaultyDomains* faulty_ = nullptr;
    std::unique_ptr<Launcher> launcher_;
};

// (1) A domain another tool starts holds its slot; its STARTED event makes
// sevd count it at once, list it as foreign, and refuse what no longer fits.
TEST_F(AdmissionTruth, GuestStartedOutsideSevdIsCountedListedAndNeverStopped) {
    virsh_.start_foreign("tr-foreign");
    const auto event = started_.next("tr-foreign");
    ASSERT_TRUE(event);
    launcher_->domain_started(*event);
    EXPECT_EQ(launcher_->usage().sev.running, 1u);
    EXPECT_EQ(launcher_->usage().locked_bytes, (1024 + 16) * kMiB);
    ASSERT_EQ(launcher_->foreign_guests().size(), 1u);
    EXPECT_EQ(launcher_->foreign_guests()[0].name, "tr-foreign");
    EXPECT_EQ(launcher_->foreign_guests()[0].memory_mib, 1024u);
    EXPECT_TRUE(launcher_->guests().empty());
    const auto refused = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::NoSlots);
    // Not sevd's: Stop refuses and leaves it running.
    const auto stop = refusal([&] { launcher_->stop("tr-foreign"); });
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->code(), ErrorCode::InvalidArgument);
    EXPECT_TRUE(virsh_.running("tr-foreign"));
}

// (1) A STARTED event that cannot be read (the helper died on the lookup)
// leaves the ledger maybe short of a guest: the next launch re-reads libvirt
// first instead of admitting against it.
TEST_F(AdmissionTruth, AStartedDomainThatCouldNotBeReadIsCountedBeforeTheNextLaunch) {
    virsh_.start_foreign("tr-foreign");
    const auto event = started_.next("tr-foreign");
    ASSERT_TRUE(event);
    fail_next(Call::List, Fault::LostBefore);
    EXPECT_TRUE(refusal([&] { launcher_->domain_started(*event); }));
    EXPECT_EQ(launcher_->usage().sev.running, 0u);
    const auto refused = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::NoSlots);
    EXPECT_EQ(launcher_->usage().sev.running, 1u);
}

// (1) A STARTED event handled after the domain stopped again counts nothing
// (its STOPPED event follows); the slot stays free.
TEST_F(AdmissionTruth, AStaleStartedEventCountsNothing) {
    virsh_.start_foreign("tr-foreign");
    const auto event = started_.next("tr-foreign");
    ASSERT_TRUE(event);
    virsh_.remove("tr-foreign");
    launcher_->domain_started(*event);
    EXPECT_EQ(launcher_->usage().sev.running, 0u);
    EXPECT_TRUE(launcher_->foreign_guests().empty());
    launcher_->launch(request("tr-a", images_.disk()));
    EXPECT_EQ(launcher_->usage().sev.running, 1u);
}

// (2) A helper killed after libvirt started the guest: the caller hears the
// outcome is being checked, the slot stays held, and a re-sync shows the guest.
TEST_F(AdmissionTruth, LostAnswerAfterTheStartKeepsTheSlotAndTheResyncShowsTheGuest) {
    fail_next(Call::DefineAndStart, Fault::LostAfter);
    const auto lost = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
    ASSERT_TRUE(lost);
    EXPECT_EQ(lost->code(), ErrorCode::Libvirt);
    EXPECT_TRUE(lost->outcome_unknown());
    EXPECT_NE(std::string(lost->what()).find("being checked"), std::string::npos) << lost->what();
    EXPECT_EQ(launcher_->usage().sev.used, 1u);
    EXPECT_EQ(launcher_->usage().checking, std::vector<std::string>{"tr-a"});
    EXPECT_TRUE(virsh_.running("tr-a"));
    launcher_->resync();
    EXPECT_TRUE(launcher_->usage().checking.empty());
    ASSERT_EQ(launcher_->guests().size(), 1u);
    EXPECT_EQ(launcher_->guests()[0].name, "tr-a");
    EXPECT_EQ(launcher_->usage().sev.running, 1u);
}

// (2) Killed before libvirt acted: held until the re-sync says it does not run.
TEST_F(AdmissionTruth, LostAnswerBeforeTheStartIsReleasedOnlyByTheResync) {
    fail_next(Call::DefineAndStart, Fault::LostBefore);
    ASSERT_TRUE(refusal([&] { launcher_->launch(request("tr-a", images_.disk())); }));
    EXPECT_EQ(launcher_->usage().sev.used, 1u); // not released on a guess
    launcher_->resync();
    EXPECT_EQ(launcher_->usage().sev.used, 0u);
    EXPECT_NO_THROW(launcher_->launch(request("tr-b", images_.disk())));
}

// (2) A lost destroy: the guest stays counted and listed until libvirt says.
TEST_F(AdmissionTruth, LostAnswerDuringStopKeepsTheGuestCounted) {
    launcher_->launch(request("tr-a", images_.disk()));
    fail_next(Call::DestroyAndUndefine, Fault::LostBefore);
    const auto lost = refusal([&] { launcher_->stop("tr-a"); });
    ASSERT_TRUE(lost);
    EXPECT_TRUE(lost->outcome_unknown());
    EXPECT_EQ(launcher_->usage().sev.running, 1u);
    EXPECT_EQ(launcher_->guests().size(), 1u);
    launcher_->stop("tr-a");
    EXPECT_EQ(launcher_->usage().sev.running, 0u);
}

// (3) A reload while a launch is in flight: its reservation carries over.
TEST_F(AdmissionTruth, ReloadKeepsTheReservationsOfLaunchesInFlight) {
    std::promise<void> entered;
    std::promise<void> go;
    auto go_future = go.get_future().share();
    auto armed = std::make_shared<std::atomic<bool>>(true);
    faulty_->set_faults([&, armed, go_future](Call call) {
        if (call == Call::DefineAndStart && armed->exchange(false)) {
            entered.set_value();
            go_future.wait(); // the launch holds its reservation here
        }
        return Fault::None;
    });
    auto first = std::async(std::launch::async,
                            [&] { return launcher_->launch(request("tr-a", images_.disk())); });
    entered.get_future().wait();
    auto config = images_.config(kTestUri);
    config.guest_overhead_mb = 32;
    launcher_->reconfigure(config);
    launcher_->resync();
    const auto refused = refusal([&] { launcher_->launch(request("tr-b", images_.disk())); });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::NoSlots);
    go.set_value();
    EXPECT_EQ(first.get().name, "tr-a");
    launcher_->resync();
    EXPECT_EQ(launcher_->usage().locked_bytes, (512 + 32) * kMiB); // the new overhead
}

// (5) Stop destroys the guest sevd launched, by its UUID: a domain of the same
// name defined since (here another tool's) is left alone.
TEST_F(AdmissionTruth, StopGoesByUuidNeverByName) {
    launcher_->launch(request("tr-x", images_.disk()));
    virsh_.remove("tr-x"); // gone behind sevd's back, no event handled
    virsh_.start_foreign("tr-x", "0x0037");
    EXPECT_NO_THROW(launcher_->stop("tr-x"));
    EXPECT_TRUE(virsh_.running("tr-x"));
}

// (5) libvirt that cannot say whether the guest runs (virDomainIsActive -1) is
// an error, never "inactive": Stop neither undefines it nor frees its slot.
TEST_F(AdmissionTruth, StopIsAnErrorWhenLibvirtCannotTellWhetherTheGuestRuns) {
    launcher_->launch(request("tr-a", images_.disk()));
    std::optional<LaunchError> refused;
    {
        const testhost::FailingIsActive cannot_tell;
        refused = refusal([&] { launcher_->stop("tr-a"); });
    }
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::Libvirt);
    EXPECT_TRUE(virsh_.running("tr-a"));
    EXPECT_EQ(launcher_->usage().sev.used, 1u);
    ASSERT_EQ(launcher_->guests().size(), 1u);
    EXPECT_NO_THROW(launcher_->stop("tr-a")); // libvirt answers again
    EXPECT_FALSE(virsh_.defined("tr-a"));
    EXPECT_EQ(launcher_->usage().sev.used, 0u);
}

// (1) Only the kernel's count of used ASIDs (misc.current) is a floor under
// the ledger: a count of libvirt's guests from the last probe reading may be
// older than the STOPPED event the ledger already handled.
TEST_F(AdmissionTruth, OnlyTheKernelsUsedCountIsAFloor) {
    auto report = testhost::sev_host(1, 1);
    report.sev_slots = {1, 1, false}; // libvirt ran one guest when the probe read it
    launcher_->update_host(report, 0);
    EXPECT_NO_THROW(launcher_->launch(request("tr-a", images_.disk())));
    launcher_->stop("tr-a");
    report.sev_slots = {1, 1, true}; // the kernel holds that ASID for someone
    launcher_->update_host(report, 0);
    const auto refused = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::NoSlots);
}

// (6) An unreadable machine.slice limit admits nothing, with a clear message.
TEST_F(AdmissionTruth, UnknownMemoryLimitRefusesLaunches) {
    launcher_->set_memory_limit({0, false});
    const auto refused = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::InsufficientMemory);
    EXPECT_NE(std::string(refused->what()).find("could not be read"), std::string::npos);
    EXPECT_FALSE(virsh_.defined("tr-a"));
    launcher_->set_memory_limit({0, true});
    EXPECT_NO_THROW(launcher_->launch(request("tr-a", images_.disk())));
}

// (7) Plan gives Launch's error for what no idle host could admit.
TEST_F(AdmissionTruth, PlanRefusesWhatCanNeverBeAdmitted) {
    auto report = testhost::sev_host(1, 0); // no SEV-ES slot at all
    report.models = {EncryptionModel::Sev, EncryptionModel::SevEs};
    launcher_->update_host(report, 64 * 1024 * kMiB);
    const auto huge =
        refusal([&] { launcher_->plan(request("tr-a", images_.disk(), "amd-sev", 1024 * 1024)); });
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->code(), ErrorCode::InsufficientMemory);
    const auto es =
        refusal([&] { launcher_->plan(request("tr-a", images_.disk(), "amd-sev-es")); });
    ASSERT_TRUE(es);
    EXPECT_EQ(es->code(), ErrorCode::NoSlots);
    EXPECT_NO_THROW(launcher_->plan(request("tr-a", images_.disk())));
}

// (8) With no limit on machine.slice yet, admission counts the one sevd-tune
// would apply (cgroups' plan_limit): MemTotal - reserve, down to whole pages.
TEST_F(AdmissionTruth, WithoutASliceLimitAdmissionCountsTheTunersLimitInWholePages) {
    ASSERT_EQ(images_.config(kTestUri).reserved_host_memory_mb, 4096u);
    auto report = testhost::sev_host(1, 1);
    report.mem_total_bytes = 8 * kGiB + 100; // a MemTotal that is no whole number of pages
    launcher_->update_host(report, 0);
    EXPECT_EQ(launcher_->usage().memory_limit_bytes, 4 * kGiB); // 4 GiB + 100, rounded down
    EXPECT_TRUE(launcher_->usage().memory_limit_known);
}

// (9) Unknown is not zero: without a slice limit, a MemTotal that could not be
// read, or a reserve that leaves guests nothing, admits nothing (never everything).
TEST_F(AdmissionTruth, WithoutASliceLimitAnUnknownMemTotalOrAnUnusableReserveAdmitsNothing) {
    auto report = testhost::sev_host(1, 1);
    const auto refused_with = [&](uint64_t mem_total) {
        report.mem_total_bytes = mem_total;
        launcher_->update_host(report, 0);
        EXPECT_FALSE(launcher_->usage().memory_limit_known);
        const auto refused = refusal([&] { launcher_->launch(request("tr-a", images_.disk())); });
        EXPECT_FALSE(virsh_.defined("tr-a"));
        EXPECT_TRUE(refused && refused->code() == ErrorCode::InsufficientMemory);
        return refused ? std::string(refused->what()) : std::string();
    };
    EXPECT_NE(refused_with(0).find("MemTotal could not be read"), std::string::npos);
    // 4 GiB with the 4096 MiB reserve: the limit sevd-tune would refuse.
    EXPECT_NE(refused_with(4 * kGiB).find("reserved_host_memory_mb = 4096 MiB is not below"),
              std::string::npos);
    report.mem_total_bytes = 8 * kGiB;
    launcher_->update_host(report, 0);
    EXPECT_NO_THROW(launcher_->launch(request("tr-a", images_.disk())));
}

} // namespace
} // namespace sevd::launcher
