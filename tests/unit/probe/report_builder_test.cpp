// The report on every fixture host. Expected numbers follow DESIGN.md's
// rules by hand: SEV pool = ECX - max(EDX,1) + 1, SEV-ES pool = EDX - 1;
// total = min(CPUID pool, misc.capacity, libvirt max, config cap), 0 when the
// kernel parameter is off; used = misc.current, else running libvirt guests.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_report.h"

namespace sevd::probe {
namespace {

using testing::check_of;
using ::testing::ElementsAre;
using testing::failed_ids;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::report_for;

const std::vector<EncryptionModel> kSevOnly = {EncryptionModel::Sev};

TEST(ReportBuilder, Naples7551p) {
    // ECX 15, EDX 1: SEV 15 - 1 + 1 = 15; SEV-ES 1 - 1 = 0. misc.capacity "sev 15",
    // libvirt maxGuests 15 -> total 15. No misc.current (older kernel) and
    // test:///default runs no encrypted guest -> used 0.
    const auto r = report_for("naples-7551p");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.models, kSevOnly);
    EXPECT_EQ(r.sev_slots, (SlotCount{15, 0}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{0, 0}));
    EXPECT_EQ(r.cpu.cbitpos, 47u);
    EXPECT_EQ(r.cpu.reduced_phys_bits, 5u);
    EXPECT_TRUE(r.kernel.sev);     // "1"
    EXPECT_FALSE(r.kernel.sev_es); // "0"
    EXPECT_EQ(check_of(r, "cpu.asid_split").status, CheckStatus::Warn);
    EXPECT_EQ(check_of(r, "kernel.sev_es").status, CheckStatus::Warn);
    EXPECT_EQ(check_of(r, "kernel.misc_cgroup").status, CheckStatus::Pass);
    // Status hex 00 11 01 | 00000000 | 0f | 00000000: API 0.17, state init, build 15.
    EXPECT_EQ(r.firmware.api_major, 0u);
    EXPECT_EQ(r.firmware.api_minor, 17u);
    EXPECT_EQ(r.firmware.state, FirmwareState::Init);
    EXPECT_EQ(r.firmware.build, 15u);
    EXPECT_THAT(failed_ids(r), IsEmpty());
}

TEST(ReportBuilder, NaplesUsedFromRunningLibvirtGuests) {
    // No misc.current: used = running libvirt guests. probe-libvirt-node.xml runs
    // 3 SEV guests (policy 0x0033) and 1 SEV-ES guest (0x0037).
    const auto r = report_for("naples-7551p", testing::probe_node_uri());
    EXPECT_EQ(r.sev_slots, (SlotCount{15, 3}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{0, 1}));
    EXPECT_EQ(check_of(r, "libvirt.guests").status, CheckStatus::Pass);
}

TEST(ReportBuilder, Rome7742) {
    // ECX 509, EDX 1: SEV 509, SEV-ES 0 (firmware's minimum SEV ASID is 1).
    // misc.capacity "sev 509", libvirt 509 -> 509; misc.current "sev 2" -> used 2.
    // kvm_amd.sev_es = N -> SEV-ES total 0.
    const auto r = report_for("rome-7742");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.models, kSevOnly);
    EXPECT_EQ(r.sev_slots, (SlotCount{509, 2, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{0, 0, true}));
    const auto& split = check_of(r, "cpu.asid_split");
    EXPECT_EQ(split.status, CheckStatus::Warn);
    EXPECT_THAT(split.hint, HasSubstr("SEV-ES ASID Space Limit"));
    // AWS m6a.metal reply: API 1.51, uninit, build 3, 0 guests.
    EXPECT_TRUE(r.firmware.present);
    EXPECT_TRUE(r.firmware.readable);
    EXPECT_EQ(r.firmware.api_major, 1u);
    EXPECT_EQ(r.firmware.api_minor, 51u);
    EXPECT_EQ(r.firmware.build, 3u);
    EXPECT_EQ(r.firmware.state, FirmwareState::Uninit);
    EXPECT_TRUE(r.libvirt.available);
    EXPECT_TRUE(r.libvirt.sev);
    EXPECT_EQ(r.libvirt.max_guests, 509u);
    EXPECT_EQ(r.libvirt.max_es_guests, 0u);
    EXPECT_EQ(check_of(r, "libvirt.agreement").status, CheckStatus::Pass);
    // MemTotal 263842124 kB * 1024.
    EXPECT_EQ(r.mem_total_bytes, 263842124ull * 1024);
    EXPECT_THAT(failed_ids(r), IsEmpty());
}

TEST(ReportBuilder, Milan7763) {
    // EBX 0x4173: C-bit 51, reduction 5, 4 VMPLs; EAX bit 4: SNP. ECX 509, EDX 1.
    // misc.current "sev 1" -> used 1.
    const auto r = report_for("milan-7763");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.models, kSevOnly);
    EXPECT_EQ(r.sev_slots, (SlotCount{509, 1, true}));
    EXPECT_EQ(r.cpu.cbitpos, 51u);
    EXPECT_EQ(r.cpu.vmpls, 4u);
    EXPECT_TRUE(r.cpu.sev_snp);
    // 01 37 02 | 00000000 | 15 | 01000000: API 1.55, working, build 21, 1 guest.
    EXPECT_EQ(r.firmware.api_minor, 55u);
    EXPECT_EQ(r.firmware.state, FirmwareState::Working);
    EXPECT_EQ(r.firmware.build, 21u);
    EXPECT_EQ(r.firmware.guest_count, 1u);
    EXPECT_EQ(r.firmware.snp, std::nullopt);
    EXPECT_EQ(check_of(r, "firmware.snp").status, CheckStatus::Skip);
    EXPECT_EQ(check_of(r, "libvirt.agreement").status, CheckStatus::Pass); // cbitpos 51 = 51
}

TEST(ReportBuilder, CloudVmOnEpyc) {
    // Hypervisor bit set, max extended leaf 0x8000001E: the leaf is ignored.
    const auto r = report_for("cloud-vm-epyc");
    EXPECT_FALSE(r.ready);
    EXPECT_THAT(r.models, IsEmpty());
    EXPECT_TRUE(r.cpu.hypervisor);
    EXPECT_FALSE(r.cpu.leaf_present);
    EXPECT_THAT(failed_ids(r), ElementsAre("cpu.hypervisor", "cpu.extended_leaf", "kernel.kvm_amd",
                                           "firmware.device", "host.kvm", "libvirt.sev"));
    EXPECT_THAT(check_of(r, "cpu.hypervisor").message, HasSubstr("virtual machine"));
    EXPECT_EQ(check_of(r, "cpu.sev").status, CheckStatus::Skip);
    EXPECT_EQ(r.sev_slots, (SlotCount{0, 0}));
}

TEST(ReportBuilder, RomeSplitAsids) {
    // EDX 100: SEV-ES 1..99 -> 99; SEV 100..509 -> 509 - 100 + 1 = 410.
    // misc.capacity sev 410 / sev_es 99, libvirt 410 / 99 -> totals 410 and 99.
    // misc.current sev 3 / sev_es 1.
    const auto r = report_for("rome-split-asids");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.models, (std::vector{EncryptionModel::Sev, EncryptionModel::SevEs}));
    EXPECT_EQ(r.sev_slots, (SlotCount{410, 3, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{99, 1, true}));
    // flags 0x100: SEV-ES initialized; state working.
    EXPECT_TRUE(r.firmware.es_initialized);
    EXPECT_EQ(check_of(r, "firmware.sev_es_init").status, CheckStatus::Pass);
    for (const auto& c : r.checks)
        EXPECT_NE(c.status, CheckStatus::Warn) << c.id << ": " << c.message;
}

TEST(ReportBuilder, ConfigCapAppliesToBothPools) {
    // Cap 50: SEV min(410, 50) = 50; SEV-ES min(99, 50) = 50.
    const auto r = report_for("rome-split-asids", testing::kTestDriver, 50);
    EXPECT_EQ(r.sev_slots.total, 50u);
    EXPECT_EQ(r.sev_es_slots.total, 50u);
    // Cap 0 closes both models: SEV total 0 fails.
    const auto zero = report_for("rome-split-asids", testing::kTestDriver, 0);
    EXPECT_FALSE(zero.ready);
    EXPECT_EQ(check_of(zero, "slots.amd-sev").status, CheckStatus::Fail);
}

TEST(ReportBuilder, KvmSevOff) {
    // kvm_amd.sev = N -> SEV total 0 (kernel parameter off), libvirt says no too.
    const auto r = report_for("rome-kvm-sev-off");
    EXPECT_FALSE(r.ready);
    EXPECT_EQ(check_of(r, "kernel.sev").status, CheckStatus::Fail);
    EXPECT_THAT(check_of(r, "kernel.sev").hint, HasSubstr("kvm_amd sev=1"));
    EXPECT_EQ(check_of(r, "libvirt.sev").status, CheckStatus::Fail);
    EXPECT_EQ(r.sev_slots.total, 0u);
}

TEST(ReportBuilder, DevSevMissing) {
    const auto r = report_for("rome-no-dev-sev");
    EXPECT_FALSE(r.ready);
    EXPECT_FALSE(r.firmware.present);
    EXPECT_THAT(failed_ids(r), ElementsAre("firmware.device"));
    EXPECT_EQ(check_of(r, "firmware.status").status, CheckStatus::Skip);
}

TEST(ReportBuilder, DevSevPermissionDenied) {
    // sev/platform-status "EACCES": /dev/sev exists but could not be opened.
    const auto r = report_for("rome-dev-sev-eacces");
    EXPECT_FALSE(r.ready);
    EXPECT_TRUE(r.firmware.present);
    EXPECT_FALSE(r.firmware.readable);
    const auto& device = check_of(r, "firmware.device");
    EXPECT_EQ(device.status, CheckStatus::Fail);
    EXPECT_THAT(device.message, HasSubstr("permission denied"));
    EXPECT_THAT(device.hint, HasSubstr("udev"));
}

TEST(ReportBuilder, FirmwareStatusAbsentWarnsOnly) {
    // /dev/sev recorded, its status not: state unknown, a warning; SEV still ready.
    const auto r = report_for("rome-fw-status-absent");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.firmware.state, std::nullopt);
    EXPECT_EQ(check_of(r, "firmware.status").status, CheckStatus::Warn);
}

TEST(ReportBuilder, FirmwareErrorDecoded) {
    const auto r = report_for("rome-fw-error");
    EXPECT_FALSE(r.ready);
    const auto& status = check_of(r, "firmware.status");
    EXPECT_EQ(status.status, CheckStatus::Fail);
    EXPECT_THAT(status.message, HasSubstr("EIO"));
    EXPECT_THAT(status.message, HasSubstr("0x13 HWSEV_RET_PLATFORM"));
}

TEST(ReportBuilder, ShortStatusReplyNamesFile) {
    // "0133000000" = 5 bytes.
    const auto r = report_for("rome-fw-status-short");
    EXPECT_FALSE(r.ready);
    const auto& status = check_of(r, "firmware.status");
    EXPECT_EQ(status.status, CheckStatus::Fail);
    EXPECT_THAT(status.message, HasSubstr("sev/platform-status is 5 bytes, expected 12"));
}

TEST(ReportBuilder, LibvirtSevUnsupported) {
    const auto r = report_for("rome-libvirt-sev-no");
    EXPECT_FALSE(r.ready);
    EXPECT_THAT(failed_ids(r), ElementsAre("libvirt.sev"));
    EXPECT_THAT(check_of(r, "libvirt.sev").message, HasSubstr("supported='no'"));
    EXPECT_FALSE(r.libvirt.sev);
}

TEST(ReportBuilder, LibvirtDisagreeingWithCpuidWarns) {
    // libvirt maxGuests 15 vs CPUID 509: warning; total min(509, 509, 15) = 15.
    const auto r = report_for("rome-libvirt-stale");
    EXPECT_TRUE(r.ready);
    const auto& agreement = check_of(r, "libvirt.agreement");
    EXPECT_EQ(agreement.status, CheckStatus::Warn);
    EXPECT_THAT(agreement.message, HasSubstr("maxGuests 15 but CPUID gives 509"));
    EXPECT_EQ(r.sev_slots.total, 15u);
}

TEST(ReportBuilder, NoLibvirtConsulted) {
    // Without libvirt: total min(509 CPUID, 509 misc.capacity) = 509; checks skip.
    const auto r = report_for("rome-7742", std::nullopt);
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.sev_slots, (SlotCount{509, 2, true}));
    EXPECT_FALSE(r.libvirt.consulted);
    EXPECT_EQ(check_of(r, "libvirt.connection").status, CheckStatus::Skip);
}

TEST(ReportBuilder, UnreachableLibvirtIsAFailedCheckNotAnError) {
    const auto r = report_for("rome-7742", "qemu+unix:///system?socket=/nonexistent/sock");
    EXPECT_FALSE(r.ready);
    EXPECT_TRUE(r.libvirt.consulted);
    EXPECT_FALSE(r.libvirt.connected);
    const auto& connection = check_of(r, "libvirt.connection");
    EXPECT_EQ(connection.status, CheckStatus::Fail);
    EXPECT_THAT(connection.hint, HasSubstr("virtqemud"));
}

TEST(ReportBuilder, RyzenWarns) {
    const auto r = report_for("ryzen-5950x");
    EXPECT_EQ(check_of(r, "cpu.brand").status, CheckStatus::Warn);
    EXPECT_THAT(check_of(r, "cpu.brand").message, HasSubstr("not an EPYC part"));
}

TEST(ReportBuilder, IntelKvmGuestThisMachine) {
    // Captured from this very machine (`sevd capture`): Intel, hypervisor bit set.
    const auto r = report_for("intel-kvm-guest", std::nullopt);
    EXPECT_FALSE(r.ready);
    EXPECT_THAT(failed_ids(r), ElementsAre("cpu.vendor", "cpu.hypervisor"));
    EXPECT_EQ(r.cpu.vendor, "GenuineIntel");
    EXPECT_EQ(check_of(r, "kernel.sev").status, CheckStatus::Skip);
    EXPECT_EQ(check_of(r, "firmware.device").status, CheckStatus::Skip);
    EXPECT_EQ(check_of(r, "host.kvm").status, CheckStatus::Pass);
}

TEST(ReportBuilder, BadInputsNameTheFile) {
    struct Case {
        const char* host;
        const char* check;
        const char* text;
    };
    for (const auto& c : {
             // Line 8 is the 0x8000001f line, cut mid-register / with "0xZZ".
             Case{"rome-cpuid-truncated", "cpu.cpuid", "cpuid: line 8"},
             Case{"rome-cpuid-garbled", "cpu.cpuid", "cpuid: line 8"},
             Case{"rome-cpuid-cut-leaves", "cpu.cpuid", "truncated"},
             Case{"rome-bad-param", "kernel.sev", "'maybe'"},
             Case{"rome-bad-domcaps", "libvirt.sev", "domcapabilities.xml: malformed XML"},
         }) {
        const auto r = report_for(c.host);
        EXPECT_FALSE(r.ready) << c.host;
        const auto& failed = check_of(r, c.check);
        EXPECT_EQ(failed.status, CheckStatus::Fail) << c.host;
        EXPECT_THAT(failed.message, HasSubstr(c.text)) << c.host;
    }
}

TEST(ReportBuilder, MissingSnapshotDirectory) {
    const auto r = report_for("does-not-exist", std::nullopt);
    EXPECT_FALSE(r.ready);
    ASSERT_EQ(r.checks.size(), 1u);
    EXPECT_EQ(r.checks[0].id, "snapshot.root");
    EXPECT_THAT(r.checks[0].message, HasSubstr("does-not-exist"));
}

TEST(ReportBuilder, ReadyNeverNextToAFailureOnAnyFixture) {
    for (const auto& entry : std::filesystem::directory_iterator(SEVD_FIXTURES_DIR)) {
        if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "cpuid"))
            continue;
        const auto host = entry.path().filename().string();
        const auto r = report_for(host);
        EXPECT_EQ(r.ready, !r.models.empty()) << host;
        if (r.ready) {
            EXPECT_THAT(failed_ids(r), IsEmpty()) << host;
        }
        for (const auto& c : r.checks) {
            EXPECT_FALSE(c.message.empty()) << host << " " << c.id;
            if (c.status == CheckStatus::Fail || c.status == CheckStatus::Warn) {
                EXPECT_FALSE(c.hint.empty()) << host << " " << c.id;
            }
        }
    }
}

TEST(ReportBuilder, IsPure) {
    const auto root = testing::fixture("rome-split-asids");
    const auto host = read_host_facts(root);
    const auto libvirt = libvirt::read_libvirt_facts(root, testing::kTestDriver);
    EXPECT_EQ(build_report(host, libvirt, std::nullopt), build_report(host, libvirt, std::nullopt));
}

} // namespace
} // namespace sevd::probe
