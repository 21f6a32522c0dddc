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
    ledger.set_capacity({{2, 0}, {0, 0}, 0, true, {}});
    auto a = ledger.reserve(sev("a"));
    std::optional<Ledger::Reservation> b(ledger.reserve(sev("b")));
    EXPECT_EQ(refusal(ledger, sev("c")), ErrorCode::NoSlots); // used 2 >= total 2
    b.reset();                                                // failure path: released
    EXPECT_NO_THROW(ledger.reserve(sev("c")));
}

TEST(AdmissionLedger, PoolsAreIndependent) {
    Ledger ledger;
    ledger.set_capacity({{1, 0}, {1, 0}, 0, true, {}});
    auto a = ledger.reserve(sev("a"));
    auto b = ledger.reserve(sev_es("b"));
    EXPECT_EQ(refusal(ledger, sev("c")), ErrorCode::NoSlots);
    EXPECT_EQ(refusal(ledger, sev_es("d")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, EmptyPoolRefusesAtOnce) {
    Ledger ledger;
    ledger.set_capacity(
        {{509, 0}, {0, 0}, 0, true, {}}); // Rome with min SEV ASID 1: no SEV-ES slots
    EXPECT_EQ(refusal(ledger, sev_es("x")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, ReportedUsedIsAFloorUnderLibvirtsCount) {
    Ledger ledger;
    ledger.set_capacity({{3, 2}, {0, 0}, 0, true, {}});
    // used = max(running 0, reported 2) + reserved 1 = 3 after the first reservation.
    auto a = ledger.reserve(sev("a"));
    EXPECT_EQ(ledger.usage().sev.used, 3u);
    EXPECT_EQ(refusal(ledger, sev("b")), ErrorCode::NoSlots);
}

TEST(AdmissionLedger, RunningGuestsFromLibvirtAreCounted) {
    Ledger ledger;
    ledger.set_capacity({{2, 0}, {0, 0}, 0, true, {}});
    ledger.replace_running({sev("old-1"), sev("old-2")});
    EXPECT_EQ(refusal(ledger, sev("new")), ErrorCode::NoSlots);
    ledger.remove_running("old-1");
    EXPECT_NO_THROW(ledger.reserve(sev("new")));
}

TEST(AdmissionLedger, ResyncKeepsLaunchesInFlightWithoutCountingThemTwice) {
    Ledger ledger;
    ledger.set_capacity({{5, 0}, {0, 0}, 0, true, {}});
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
    ledger.set_capacity({{1, 0}, {0, 0}, 0, true, {}});
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
    ledger.set_capacity({{5, 0}, {5, 0}, 0, true, {}});
    auto a = ledger.reserve(sev("a"));
    EXPECT_EQ(refusal(ledger, sev_es("a")), ErrorCode::InvalidArgument);
}

TEST(AdmissionLedger, LockedMemoryMustFitUnderTheLimit) {
    Ledger ledger;
    // Limit 2048 MiB; each claim 1040 MiB (1024 RAM + 16 overhead):
    // 1040 fits, 1040 + 1040 = 2080 > 2048 does not; a 1008 MiB claim fits exactly.
    ledger.set_capacity({{10, 0}, {0, 0}, 2048 * kMiB, true, {}});
    auto a = ledger.reserve(sev("a", 1040));
    EXPECT_EQ(refusal(ledger, sev("b", 1040)), ErrorCode::InsufficientMemory);
    EXPECT_NO_THROW(ledger.reserve(sev("c", 1008)));
}

TEST(AdmissionLedger, RunningGuestsHoldMemoryToo) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {10, 0}, 4096 * kMiB, true, {}});
    ledger.replace_running({sev_es("es", 4000)}); // 96 MiB left
    EXPECT_EQ(refusal(ledger, sev("b", 97)), ErrorCode::InsufficientMemory);
    EXPECT_NO_THROW(ledger.reserve(sev("b", 96)));
}

TEST(AdmissionLedger, ZeroLimitMeansNoMemoryLimit) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 0, true, {}});
    EXPECT_NO_THROW(ledger.reserve(sev("huge", 16ull * 1024 * 1024)));
}

TEST(AdmissionLedger, ConcurrentReservationsNeverOverbook) {
    constexpr int kThreads = 16;
    constexpr uint32_t kSlots = 5;
    Ledger ledger;
    ledger.set_capacity({{kSlots, 0}, {0, 0}, 0, true, {}});
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

// Issue 13 (2): a launch whose outcome is unknown keeps its claim; only a
// re-sync (libvirt's listing) settles it, either way.
TEST(AdmissionLedger, UnknownOutcomeKeepsItsClaimUntilAResyncAnswers) {
    Ledger ledger;
    ledger.set_capacity({{1, 0}, {0, 0}, 0, true, {}});
    {
        auto r = ledger.reserve(sev("lost"));
        r.keep_until_resync(); // the helper timed out during define+start
    }
    EXPECT_EQ(refusal(ledger, sev("next")), ErrorCode::NoSlots);
    EXPECT_EQ(ledger.usage().checking, std::vector<std::string>{"lost"});
    ledger.replace_running({sev("lost")}); // it runs: now a running guest
    EXPECT_EQ(refusal(ledger, sev("next")), ErrorCode::NoSlots);
    EXPECT_TRUE(ledger.usage().checking.empty());
    EXPECT_EQ(ledger.usage().sev.running, 1u);

    {
        Ledger other;
        other.set_capacity({{1, 0}, {0, 0}, 0, true, {}});
        other.reserve(sev("lost")).keep_until_resync();
        other.replace_running({}); // libvirt does not run it: the slot is free
        EXPECT_NO_THROW(other.reserve(sev("next")));
    }
}

// Issue 13 (4): a domain whose memory is unreadable counts as filling the
// limit, never as 0.
TEST(AdmissionLedger, UnreadableMemoryRefusesEveryAdmissionWhileItRuns) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 64 * 1024 * kMiB, true, {}});
    ledger.replace_running({{"odd", EncryptionModel::Sev, std::nullopt}});
    EXPECT_EQ(refusal(ledger, sev("small", 1)), ErrorCode::InsufficientMemory);
    EXPECT_EQ(ledger.usage().unknown, std::vector<std::string>{"odd"});
    ledger.remove_running("odd");
    EXPECT_NO_THROW(ledger.reserve(sev("small", 1)));
}

// Issue 13 (6): an unknown machine.slice limit admits nothing.
TEST(AdmissionLedger, UnknownLimitRefusesEvenWithoutAnyGuest) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 0, false, {}});
    EXPECT_EQ(refusal(ledger, sev("a")), ErrorCode::InsufficientMemory);
    ledger.set_memory_limit({0, true, {}}); // read again: no limit
    EXPECT_NO_THROW(ledger.reserve(sev("a")));
}

// Issue 13 (7): what no idle host could admit.
TEST(AdmissionLedger, NeverAdmissibleIsRefusedWithLaunchsErrors) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 64 * 1024 * kMiB, true, {}});
    auto running = ledger.reserve(sev("busy", 60 * 1024));
    EXPECT_THROW(ledger.check_ever_admissible(sev("huge", 1024 * 1024)), LaunchError);
    try {
        ledger.check_ever_admissible(sev("huge", 1024 * 1024));
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InsufficientMemory);
    }
    try {
        ledger.check_ever_admissible(sev_es("es"));
        ADD_FAILURE() << "an empty pool admitted";
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::NoSlots);
    }
    // Busy now, but it fits an idle host: Plan says yes.
    EXPECT_NO_THROW(ledger.check_ever_admissible(sev("later", 8 * 1024)));
}

// Issue 13 (3): a limit change is one step against the ledger: the write sees
// every claim, and a reservation made meanwhile waits for the new limit.
TEST(AdmissionLedger, LimitChangeAndAdmissionNeverInterleave) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 8192 * kMiB, true, {}});
    auto held = ledger.reserve(sev("a", 2048));
    std::atomic<bool> writing{false};
    std::atomic<bool> release{false};
    std::optional<ErrorCode> late;
    std::thread changer([&] {
        ledger.change_memory_limit([&](std::optional<uint64_t> locked) {
            EXPECT_EQ(locked, 2048 * kMiB);
            writing = true;
            while (!release) // the reservation below must wait, not slip in
                std::this_thread::yield();
            return Ledger::LimitInForce{3072 * kMiB, true, {}};
        });
    });
    while (!writing)
        std::this_thread::yield();
    std::thread launcher([&] { late = refusal(ledger, sev("b", 2048)); });
    release = true;
    changer.join();
    launcher.join();
    EXPECT_EQ(late, ErrorCode::InsufficientMemory); // 2048 + 2048 > 3072
    EXPECT_EQ(ledger.usage().memory_limit_bytes, 3072 * kMiB);
}

TEST(AdmissionLedger, FailedLimitWriteLeavesTheLimitUnknown) {
    Ledger ledger;
    ledger.set_capacity({{10, 0}, {0, 0}, 8192 * kMiB, true, {}});
    EXPECT_THROW(ledger.change_memory_limit([](std::optional<uint64_t>) -> Ledger::LimitInForce {
        throw std::runtime_error("write failed half-way");
    }),
                 std::runtime_error);
    EXPECT_FALSE(ledger.usage().memory_limit_known);
    EXPECT_EQ(refusal(ledger, sev("a")), ErrorCode::InsufficientMemory);
}

} // namespace
} // namespace sevd::launcher
