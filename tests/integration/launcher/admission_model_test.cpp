// Model-based concurrency test of admission (issue 13): random interleavings
// of sevd's operations (Launch, Start, Stop, Shutdown, Tuning1.Apply, a SIGHUP
// reload with a changed configuration, the periodic re-sync) run concurrently against one
// Launcher on libvirt's test driver, between outside actions (a virsh-like
// start of a foreign or powered-off guest, a destroy), sevd-libvirt helper
// kills (a lost answer, before or after libvirt acted: FaultyDomains) and
// libvirtd restarts (events lost while it is down, then a reconnect).
//
// Checked after every round of steps:
// - sevd never asked libvirt to start a guest beyond the ASIDs or the memory
//   limit (FaultyDomains checks every start against what really runs);
// - what libvirt runs fits every pool and the limit;
// - once quiet (events delivered), the ledger never counts less than libvirt
//   runs, and after one periodic re-sync it counts exactly what libvirt runs,
//   with no outcome left unknown, and Guests lists exactly sevd's running guests.
//
// SEVD_MODEL_SEED selects the seed (printed on failure), SEVD_MODEL_STEPS the
// number of steps (default 10000; 2000 under ThreadSanitizer).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "launcher/launcher.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_event_loop.h"
#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/launcher/faulty_domains.h"
#include "tests/integration/launcher/launch_test_host.h"
#include "tests/integration/launcher/model_world.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
using libvirt_helper::LibvirtEventLoop;
namespace {

using namespace std::chrono_literals;
using testhost::Call;
using testhost::EventPump;
using testhost::Fault;
using testhost::Outside;
using testhost::Truth;

constexpr const char* kTestUri = "test:///default";
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint32_t kSevTotal = 3;
constexpr uint32_t kSevEsTotal = 2;
constexpr uint64_t kKernelOverheadMiB = 16; // what a guest really locks beyond its RAM
constexpr int kSevdNames = 8;
constexpr int kForeignNames = 4;

#if defined(__SANITIZE_THREAD__)
constexpr int kDefaultSteps = 2000;
#else
constexpr int kDefaultSteps = 10000;
#endif

uint64_t env_number(const char* name, uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

enum class Op { Launch, Start, Stop, Shutdown, Apply, Reload, Resync };

class AdmissionModel : public testing::Test {
protected:
    void SetUp() override {
        spdlog::set_level(spdlog::level::err); // thousands of refusals are the point
        seed_ = env_number("SEVD_MODEL_SEED", std::random_device{}());
        steps_ = static_cast<int>(env_number("SEVD_MODEL_STEPS", kDefaultSteps));
        rng_.seed(seed_);
        outside_.remove_all("m-");
        outside_.remove_all("f-");
        config_ = images_.config(kTestUri);
        auto faulty = std::make_unique<testhost::FaultyDomains>(
            std::make_unique<LibvirtClient>(kTestUri, pump_.handlers()), [this] {
                return testhost::KernelView{kSevTotal, kSevEsTotal, kernel_limit_.load(),
                                            kKernelOverheadMiB * kMiB};
            });
        faulty_ = faulty.get();
        launcher_ = std::make_unique<Launcher>(config_, std::move(faulty));
        launcher_->update_host(testhost::sev_host(kSevTotal, kSevEsTotal));
        launcher_->set_memory_limit({kernel_limit_.load(), true});
        launcher_->resync();
        pump_.start(*launcher_);
        faulty_->set_faults([this](Call call) { return fault_for(call); });
    }
    void TearDown() override {
        pump_.stop();
        launcher_.reset();
        outside_.remove_all("m-");
        outside_.remove_all("f-");
        if (HasFailure())
            std::cerr << "admission model: reproduce with SEVD_MODEL_SEED=" << seed_ << "\n";
    }

    // Under faults_mutex_: the fault threads see for their calls.
    Fault fault_for(Call call) {
        std::lock_guard lock(faults_mutex_);
        std::uniform_int_distribution<int> pct(0, 99);
        const int roll = pct(fault_rng_);
        if (!faults_on_ || roll >= 8)
            return Fault::None;
        ++helper_kills_;
        if (call == Call::List)
            return Fault::LostBefore;
        return roll < 4 ? Fault::LostBefore : Fault::LostAfter;
    }
    void reseed_faults(uint64_t seed) {
        std::lock_guard lock(faults_mutex_);
        fault_rng_.seed(static_cast<std::mt19937::result_type>(seed));
    }
    void set_faults(bool on) {
        std::lock_guard lock(faults_mutex_);
        faults_on_ = on;
    }

    std::string sevd_name() { return "m-" + std::to_string(pick(kSevdNames)); }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    // One sevd operation, as a D-Bus call would run it on a worker.
    std::function<void()> make_op(Op op) {
        switch (op) {
        case Op::Launch: {
            const auto name = sevd_name();
            const std::string model = pick(2) == 0 ? "amd-sev" : "amd-sev-es";
            const uint64_t mib = 256 * static_cast<uint64_t>(1 + pick(4));
            return [this, name, model, mib] {
                try {
                    launcher_->launch(
                        {name, mib, 1, images_.disk(), {{"hw_mem_encryption_model", model}}});
                } catch (const LaunchError&) {
                    // refused, name taken, or an injected helper kill: all allowed
                }
            };
        }
        case Op::Start: // a guest that powered off, started again (Launcher1.Start)
            return [this, name = sevd_name()] {
                try {
                    launcher_->start(name);
                    ++starts_;
                } catch (const LaunchError&) {
                    // refused, not defined, running, or an injected helper kill
                }
            };
        case Op::Stop: {
            const auto name = sevd_name();
            return [this, name] {
                try {
                    launcher_->stop(name);
                } catch (const LaunchError&) {
                }
            };
        }
        case Op::Shutdown: // ACPI power-off: the slot is freed by its STOPPED event
            return [this, name = sevd_name()] {
                try {
                    launcher_->shutdown(name);
                    ++shutdowns_;
                } catch (const LaunchError&) {
                }
            };
        case Op::Apply: {
            const uint64_t wanted = (2048 + 1024 * static_cast<uint64_t>(pick(4))) * kMiB;
            return [this, wanted] {
                // The tuner's rule: never below what guests lock; check and
                // write are one step against the ledger.
                launcher_->change_memory_limit([&](std::optional<uint64_t> locked) {
                    if (locked && wanted >= *locked)
                        kernel_limit_ = wanted;
                    return SliceLimit{kernel_limit_.load(), true};
                });
            };
        }
        case Op::Reload: {
            auto config = config_;
            config.reserved_host_memory_mb = 1024 * static_cast<uint64_t>(1 + pick(4));
            config.guest_overhead_mb = pick(2) == 0 ? 16 : 32; // >= what the kernel charges
            return [this, config] {
                {
                    // One step: two reloads racing must leave the overhead
                    // recorded here equal to the one the launcher kept.
                    std::lock_guard lock(overhead_mutex_);
                    launcher_->reconfigure(config);
                    overhead_mib_ = config.guest_overhead_mb;
                }
                try {
                    launcher_->resync();
                } catch (const LaunchError&) {
                }
            };
        }
        case Op::Resync:
            return [this] {
                try {
                    launcher_->resync();
                } catch (const LaunchError&) {
                }
            };
        }
        return [] {};
    }

    Op random_op() {
        const int roll = pick(100);
        if (roll < 40)
            return Op::Launch;
        if (roll < 52)
            return Op::Start;
        if (roll < 70)
            return Op::Stop;
        if (roll < 78)
            return Op::Shutdown;
        if (roll < 87)
            return Op::Apply;
        if (roll < 94)
            return Op::Reload;
        return Op::Resync;
    }

    // 1 to 3 sevd operations at once.
    int run_concurrent_round() {
        const int n = 1 + pick(3);
        std::vector<std::function<void()>> ops;
        for (int i = 0; i < n; ++i)
            ops.push_back(make_op(random_op()));
        std::vector<std::thread> threads;
        for (auto& op : ops)
            threads.emplace_back(op);
        for (auto& t : threads)
            t.join();
        return n;
    }

    // An outside action, with sevd quiet (no start races the kernel's view).
    int run_outside_step() {
        const auto truth = outside_.truth(kKernelOverheadMiB);
        const int roll = pick(100);
        if (roll < 35) { // a foreign guest starts, when the host has room for it
            const auto model = pick(2) == 0 ? EncryptionModel::Sev : EncryptionModel::SevEs;
            const uint64_t mib = 256 * static_cast<uint64_t>(1 + pick(2));
            const bool slot =
                model == EncryptionModel::Sev ? truth.sev < kSevTotal : truth.sev_es < kSevEsTotal;
            const bool memory =
                truth.locked_bytes + (mib + kKernelOverheadMiB) * kMiB <= kernel_limit_.load();
            if (slot && memory)
                outside_.start_foreign("f-" + std::to_string(pick(kForeignNames)), model, mib);
        } else if (roll < 55) { // 'virsh start' of a sevd guest that powered off
            const auto name = sevd_name();
            const auto record = outside_.defined(name);
            if (record && record->pool && !truth.names.contains(name)) {
                const bool slot = *record->pool == EncryptionModel::Sev
                                      ? truth.sev < kSevTotal
                                      : truth.sev_es < kSevEsTotal;
                const bool memory =
                    truth.locked_bytes + (record->memory_mib + kKernelOverheadMiB) * kMiB <=
                    kernel_limit_.load();
                if (slot && memory)
                    outside_.start_defined(name);
            }
        } else if (roll < 90) { // a guest powers off / is destroyed from outside
            const std::string name = pick(2) == 0 ? sevd_name() : "f-" + std::to_string(pick(4));
            outside_.destroy(name);
        } else { // libvirtd restarts: events are lost while it is down
            pump_.set_down(true);
            outside_.destroy(pick(2) == 0 ? sevd_name() : "f-" + std::to_string(pick(4)));
            pump_.set_down(false);
            faulty_->bump_generation(); // the daemon reconnects and re-syncs
            try {
                launcher_->resync();
            } catch (const LaunchError&) {
            }
            ++restarts_;
        }
        return 1;
    }

    uint64_t overhead() {
        std::lock_guard lock(overhead_mutex_);
        return overhead_mib_;
    }

    void check_round(int round) {
        ASSERT_EQ(faulty_->overbookings(), std::vector<std::string>{})
            << "round " << round << ", seed " << seed_;
        const auto real = outside_.truth(kKernelOverheadMiB);
        ASSERT_LE(real.sev, kSevTotal) << "seed " << seed_;
        ASSERT_LE(real.sev_es, kSevEsTotal) << "seed " << seed_;
        ASSERT_LE(real.locked_bytes, kernel_limit_.load()) << "seed " << seed_;

        // Quiet: every event so far delivered.
        const std::string sentinel = "sentinel-" + std::to_string(round);
        outside_.sentinel(sentinel);
        ASSERT_TRUE(pump_.wait_for(sentinel)) << "seed " << seed_;
        const auto truth = outside_.truth(overhead());
        auto usage = launcher_->usage();
        // Never less than libvirt runs (checking = maybe running).
        EXPECT_GE(usage.sev.running + usage.sev.reserved, truth.sev)
            << "round " << round << ", seed " << seed_;
        EXPECT_GE(usage.sev_es.running + usage.sev_es.reserved, truth.sev_es)
            << "round " << round << ", seed " << seed_;

        // One periodic re-sync later: exactly libvirt's truth.
        set_faults(false);
        launcher_->resync();
        set_faults(true);
        usage = launcher_->usage();
        EXPECT_EQ(usage.sev.running, truth.sev) << "round " << round << ", seed " << seed_;
        EXPECT_EQ(usage.sev_es.running, truth.sev_es) << "round " << round << ", seed " << seed_;
        EXPECT_EQ(usage.sev.reserved + usage.sev_es.reserved, 0u) << "seed " << seed_;
        EXPECT_TRUE(usage.checking.empty()) << "seed " << seed_;
        EXPECT_EQ(usage.locked_bytes, truth.locked_bytes)
            << "round " << round << ", seed " << seed_;
        std::set<std::string> listed;
        for (const auto& guest : launcher_->guests())
            listed.insert(guest.name);
        EXPECT_EQ(listed, truth.sevd_names) << "round " << round << ", seed " << seed_;
        EXPECT_EQ(launcher_->foreign_guests().size(), truth.names.size() - truth.sevd_names.size())
            << "seed " << seed_;
    }

    uint64_t seed_ = 0;
    int steps_ = 0;
    std::mt19937_64 rng_;
    std::mutex faults_mutex_;
    std::mt19937 fault_rng_{42};
    bool faults_on_ = true;
    int helper_kills_ = 0;
    int restarts_ = 0;
    std::atomic<int> starts_ = 0;    // Launcher1.Start calls that started a guest
    std::atomic<int> shutdowns_ = 0; // Shutdown calls libvirt took
    std::atomic<uint64_t> kernel_limit_{4096 * kMiB};
    std::mutex overhead_mutex_;
    uint64_t overhead_mib_ = 16;

    LibvirtEventLoop loop_; // before the launcher's connection opens
    testhost::ImageDir images_{"model-images"};
    config::Config config_;
    Outside outside_;
    EventPump pump_;
    testhost::FaultyDomains* faulty_ = nullptr;
    std::unique_ptr<Launcher> launcher_;
};

TEST_F(AdmissionModel, RandomInterleavingsNeverOverbookAndEndAtLibvirtsTruth) {
    std::cout << "admission model: seed " << seed_ << ", " << steps_ << " steps\n";
    const auto start = std::chrono::steady_clock::now();
    int steps = 0;
    int round = 0;
    while (steps < steps_ && !HasFailure()) {
        steps += run_concurrent_round();
        steps += run_outside_step();
        reseed_faults(seed_ + static_cast<uint64_t>(round)); // per round: reproducible rolls
        check_round(round++);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "admission model: " << steps << " steps in " << round << " rounds, " << seconds
              << " s (" << static_cast<int>(steps / seconds) << " steps/s); " << helper_kills_
              << " injected helper kills, " << restarts_ << " libvirtd restarts, " << starts_
              << " guests started again, " << shutdowns_ << " shut down\n";
    RecordProperty("steps_per_second", static_cast<int>(steps / seconds));
}

} // namespace
} // namespace sevd::launcher
