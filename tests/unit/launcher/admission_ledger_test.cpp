// Admission arithmetic: slots per ASID pool, locked memory under the limit,
// atomic reservations released on failure.
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/admission_ledger.h"
#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
using Ledger = AdmissionLedger;

Ledger::Holding sev(const std::string& name, uint64_t mib = 1024) {
    return {name, EncryptionModel::Sev, mib * kMiB};
}
Ledger::Holding sev_es(const std::string& name, uint64_t mib = 1024) {
    return {name, EncryptionModel::SevEs, mib * kMiB};
}

ErrorCode refusal(Ledger& ledger, const Ledger::Holding& claim) {
    try {
        auto r = ledger.reserve(claim);
        ADD_FAILURE() << "reserved " << claim.name;
    } catch (const LaunchError& e) {
        return e.code();
    }
    return ErrorCode::Libvirt;
}

TEST(AdmissionLedger, SlotsRunOutAtTheTotalAndComeBackOnRelease) {
    Ledger ledger;
    ledger.set_capacity({{2, 0}, {0, 0}, 0});
    auto a = ledger.reserve(sev("a"));
    std::optional<Ledger::Reservation> b(ledger.reserve(sev("b")));
    EXPECT_EQ(refusal(ledger, sev("c")), ErrorCode::NoSlots); // used 2 >= total 2
    b.reset();                                                // failure path: released
    EXPECT_NO_THROW(ledger.reserve(sev("c")));
}

TEST(AdmissionLedger, PoolsAreIndependent) {
    Ledger ledger;
    ledger.set_capacity({{1, 0}, {1, 0}, 0});
    auto a = ledger.reserve(sev("a"));
    auto b = ledger.reserve(sev_es("b"));
    EXPECT_EQ(refusal(ledger, sev("c")), ErrorCode::NoSlots);
    EXPECT_EQ(refusal(ledger, sev_es("d")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, EmptyPoolRefusesAtOnce) {
    Ledger ledger;
    ledger.set_capacity({{509, 0}, {0, 0}, 0}); // Rome with min SEV ASID 1: no SEV-ES slots
    EXPECT_EQ(refusal(ledger, sev_es("x")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, ReportedUsedIsAFloorUnderLibvirtsCount) {
    Ledger ledger;
    ledger.set_capacity({{3, 2}, {0, 0}, 0});
    // used = max(running 0, reported 2) + reserved 1 = 3 after the first reservation.
    auto a = ledger.reserve(sev("a"));
    EXPECT_EQ(ledger.usage().sev.used, 3u);
    EXPECT_EQ(refusal(ledger, sev("b")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, RunningGuestsFromLibvirtAreCounted) {
    Ledger ledger;
    ledger.set_capacity({{2, 0}, {0, 0}, 0});
    ledger.replace_running({sev("old-1"), sev("old-2")});
    EXPECT_EQ(refusal(ledger, sev("new")), ErrorCode::NoSlots);
    ledger.remove_running("old-1");
    EXPECT_NO_THROW(ledger.reserve(sev("new")));
}

TEST(AdmissionLedger, ResyncKeepsLaunchesInFlightWithoutCountingThemTwice) {
    Ledger ledger;
    ledger.set_capacity({{5, 0}, {0, 0}, 0});
    auto a = ledger.reserve(sev("a"));
    ledger.replace_running({sev("a"), sev("b")}); // libvirt already runs "a"
    const auto usage = ledger.usage().sev;
    EXPECT_EQ(usage.running, 1u);  // b
    EXPECT_EQ(usage.reserved, 1u); // a
    a.commit();
    EXPECT_EQ(ledger.usage().sev.running, 2u);
    EXPECT_EQ(ledger.usage().sev.reserved, 0u);
}

TEST(AdmissionLedger, CommitKeepsTheClaimAndRemoveRunningFreesIt) {
    Ledger ledger;
    ledger.set_capacity({{1, 0}, {0, 0}, 0});
    {
        auto a = ledger.reserve(sev("a"));
        a.commit();
    } // destroyed after commit: must not release
    EXPECT_EQ(refusal(ledger, sev("b")), ErrorCode::NoSlots);
    ledger.remove_running("a");
    EXPECT_NO_THROW(ledger.reserve(sev("b")));
}

TEST(AdmissionLedger, NameHeldTwiceIsRefused) {
    Ledger ledger;
    ledger.set_capacity({{5, 0}, {5, 0}, 0});
    auto a = ledger.reserve(sev("a"));
    EXPECT_EQ(refusal(ledger, sev_es("a")), ErrorCode::InvalidArgument);
}

TEST(AdmissionLedger, LockedMemoryMustFitUnderTheLimit) {
    Ledger ledger;
    // Limit 2048 MiB; each claim 1040 MiB (1024 RAM + 16 overhead):
    // 1040 fits, 1040 + 1040 = 2080 > 2048 does not; a 1008 MiB claim fits exactly.
    ledger.set_capacity({{10, 0}, {0, 0}, 2048 * kMiB});
    auto a = ledger.reserve(sev("a", 1040));
    EXPECT_EQ(refusal(ledger, sev("b", 1040)), ErrorCode::InsufficientMemory);
    EXPECT_NO_THROW(ledger.reserve(sev("c", 1008)));
}

TEST(AdmissionLedger, RunningGuestsHoldMemoryToo) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {10, 0}, 4096 * kMiB});
    ledger.replace_running({sev_es("es", 4000)}); // 96 MiB left
    EXPECT_EQ(refusal(ledger, sev("b", 97)), ErrorCode::InsufficientMemory);
    EXPECT_NO_THROW(ledger.reserve(sev("b", 96)));
}

TEST(AdmissionLedger, ZeroLimitMeansNoMemoryLimit) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 0});
    EXPECT_NO_THROW(ledger.reserve(sev("huge", 16ull * 1024 * 1024)));
}

TEST(AdmissionLedger, ConcurrentReservationsNeverOverbook) {
    constexpr int kThreads = 16;
    constexpr uint32_t kSlots = 5;
    Ledger ledger;
    ledger.set_capacity({{kSlots, 0}, {0, 0}, 0});
    std::atomic<int> granted{0}, refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            try {
                ledger.reserve(sev("g" + std::to_string(i))).commit();
                ++granted;
            } catch (const LaunchError& e) {
                if (e.code() == ErrorCode::NoSlots)
                    ++refused;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(granted.load(), static_cast<int>(kSlots));
    EXPECT_EQ(refused.load(), kThreads - static_cast<int>(kSlots));
}

} // namespace
} // namespace sevd::launcher
