// SEV-SNP era hosts (tests/fixtures/README.md: Milan and Genoa, SNP on and
// off), replayed from their snapshots alone, with no libvirt here. Expected
// numbers by hand from DESIGN.md's rules: SEV pool = ECX - EDX + 1, the SEV-ES
// pool = EDX - 1, shared by SEV-SNP (one pool: SNP totals and used equal
// SEV-ES's, with SNP's own kernel switch); SEV-ES closes where kvm_amd.sev_snp
// is on (Nova bug 2157891, KubeVirt issue 17118); SNP needs libvirt's
// sev-snp launch security type (libvirt >= 10.5).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixture_report.h"

namespace sevd::probe {
namespace {

using testing::check_of;
using testing::failed_ids;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The snapshot alone: libvirt from its libvirt/ directory.
HostReport replay(const std::string& host) {
    const auto root = testing::fixture(host);
    return build_report(read_host_facts(root), snapshot_libvirt_facts(root), std::nullopt);
}

const std::vector<EncryptionModel> kSevAndSnp = {EncryptionModel::Sev, EncryptionModel::SevSnp};
const std::vector<EncryptionModel> kSevAndEs = {EncryptionModel::Sev, EncryptionModel::SevEs};

TEST(SnpHosts, Milan7453SnpOnRunsSevAndSnpNotEs) {
    // ECX 509, EDX 255: SEV 509 - 255 + 1 = 255; SEV-ES/SNP 255 - 1 = 254.
    // misc.capacity sev 255 / sev_es 254, libvirt 255 / 254; misc.current 0 / 0.
    const auto r = replay("milan-7453-snp-on");
    EXPECT_TRUE(r.ready);
    EXPECT_EQ(r.models, kSevAndSnp);
    EXPECT_EQ(r.sev_slots, (SlotCount{255, 0, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{254, 0, true}));
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{254, 0, true}));
    EXPECT_EQ(check_of(r, "kernel.sev_snp").status, CheckStatus::Pass);
    const auto& conflict = check_of(r, "kernel.sev_es_with_snp");
    EXPECT_EQ(conflict.status, CheckStatus::Warn);
    EXPECT_THAT(conflict.message, HasSubstr("CVE-2025-48514"));
    EXPECT_THAT(conflict.hint, HasSubstr("amd-sev-snp"));
    // SNP reply 01 37 01 01 | 1f000000 | ... : API 1.55, init, RMP initialized, build 31;
    // both TCBs 04 00 00 00 00 00 19 db: boot loader 4, TEE 0, SNP 25, microcode 219.
    ASSERT_TRUE(r.firmware.snp.has_value());
    EXPECT_EQ(r.firmware.snp->api_minor, 55u);
    EXPECT_EQ(r.firmware.snp->build, 31u);
    EXPECT_TRUE(r.firmware.snp->rmp_initialized);
    EXPECT_EQ(r.firmware.snp->current_tcb, 0xdb19000000000004ull);
    EXPECT_EQ(check_of(r, "firmware.snp").status, CheckStatus::Pass);
    EXPECT_EQ(check_of(r, "firmware.snp_rmp").status, CheckStatus::Pass);
    EXPECT_EQ(check_of(r, "firmware.snp_tcb").status, CheckStatus::Pass);
    EXPECT_THAT(check_of(r, "firmware.snp_tcb").message, HasSubstr("SNP 25, microcode 219"));
    EXPECT_EQ(check_of(r, "libvirt.sev_snp").status, CheckStatus::Pass);
    EXPECT_THAT(check_of(r, "libvirt.sev_snp").message, HasSubstr("libvirt 10.10.0"));
    EXPECT_TRUE(r.libvirt.sev_snp);
    EXPECT_EQ(r.libvirt.version, 10010000u);
    EXPECT_THAT(failed_ids(r), IsEmpty());
}

TEST(SnpHosts, Milan7763SnpOffRunsSevAndEs) {
    // EDX 100: SEV 410, SEV-ES 99; kvm_amd.sev_snp = N: SNP total 0 and
    // SNP_PLATFORM_STATUS never issued (so not in the snapshot).
    const auto r = replay("milan-7763-snp-off");
    EXPECT_EQ(r.models, kSevAndEs);
    EXPECT_EQ(r.sev_slots, (SlotCount{410, 0, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{99, 0, true}));
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{0, 0, true}));
    EXPECT_EQ(check_of(r, "kernel.sev_snp").status, CheckStatus::Warn);
    EXPECT_EQ(check_of(r, "kernel.sev_es_with_snp").status, CheckStatus::Pass);
    EXPECT_EQ(check_of(r, "firmware.snp").status, CheckStatus::Skip);
    EXPECT_THAT(check_of(r, "firmware.snp").message, HasSubstr("unknown"));
    EXPECT_FALSE(r.firmware.snp.has_value());
    EXPECT_EQ(check_of(r, "libvirt.sev_snp").status, CheckStatus::Skip);
    EXPECT_THAT(failed_ids(r), IsEmpty());
}

TEST(SnpHosts, GenoaSnpOnSharesTheEsPoolAndWarnsOnTheTcb) {
    // ECX 1006, EDX 253: SEV 1006 - 253 + 1 = 754; SEV-ES/SNP 252.
    // misc.current sev_es 1: one SEV-ES-pool ASID in use, for both models.
    const auto r = replay("genoa-snp-on");
    EXPECT_EQ(r.models, kSevAndSnp);
    EXPECT_EQ(r.sev_slots, (SlotCount{754, 0, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{252, 1, true}));
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{252, 1, true}));
    // Current TCB SNP 21, reported SNP 20: a warning that closes nothing.
    const auto& tcb = check_of(r, "firmware.snp_tcb");
    EXPECT_EQ(tcb.status, CheckStatus::Warn);
    EXPECT_THAT(tcb.message, HasSubstr("SNP 20"));
    EXPECT_THAT(tcb.message, HasSubstr("SNP 21"));
    EXPECT_TRUE(tcb.closes.empty());
    EXPECT_EQ(check_of(r, "libvirt.guests").status, CheckStatus::Pass);
}

TEST(SnpHosts, GenoaSnpOnWithDebian12LibvirtClosesSnpWithTheReason) {
    const auto r = replay("genoa-snp-on-libvirt9");
    EXPECT_EQ(r.models, std::vector<EncryptionModel>{EncryptionModel::Sev});
    const auto& view = check_of(r, "libvirt.sev_snp");
    EXPECT_EQ(view.status, CheckStatus::Warn);
    EXPECT_THAT(view.message, HasSubstr("libvirt 9.0.0"));
    EXPECT_THAT(view.message, HasSubstr("older than 10.5"));
    EXPECT_THAT(view.hint, HasSubstr("10.5"));
    EXPECT_EQ(check_of(r, "kernel.sev_es_with_snp").status, CheckStatus::Warn);
    EXPECT_FALSE(r.libvirt.sev_snp);
}

TEST(SnpHosts, GenoaSnpOffRunsSevAndEs) {
    const auto r = replay("genoa-snp-off");
    EXPECT_EQ(r.models, kSevAndEs);
    EXPECT_EQ(r.sev_slots, (SlotCount{754, 0, true}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{252, 0, true}));
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{0, 0, true}));
    // libvirt 10.10 lists sev-snp, but the kernel has SNP off.
    EXPECT_TRUE(r.libvirt.sev_snp);
    EXPECT_EQ(check_of(r, "libvirt.sev_snp").status, CheckStatus::Skip);
}

TEST(SnpHosts, RomeHasNoSnp) {
    const auto r = replay("rome-split-asids");
    EXPECT_EQ(check_of(r, "cpu.sev_snp").status, CheckStatus::Skip);
    // Total 0 (no SNP), used = the shared pool's misc.current sev_es 1.
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{0, 1, true}));
    EXPECT_EQ(r.models, kSevAndEs);
}

TEST(SnpHosts, ConfigCapAppliesToTheSharedPoolToo) {
    const auto root = testing::fixture("genoa-snp-on");
    const auto r = build_report(read_host_facts(root), snapshot_libvirt_facts(root), 8);
    EXPECT_EQ(r.sev_slots, (SlotCount{8, 0, true}));
    EXPECT_EQ(r.sev_snp_slots, (SlotCount{8, 1, true}));
}

// A cgroup namespace (container): misc.capacity cannot be seen, the check says
// why, and the totals come from CPUID and libvirt (rome-split-asids' 410 / 99).
TEST(SnpHosts, CgroupNamespaceHidesMiscCapacity) {
    const auto r = replay("rome-cgroupns");
    EXPECT_TRUE(r.kernel.misc_capacity_hidden);
    const auto& misc = check_of(r, "kernel.misc_cgroup");
    EXPECT_EQ(misc.status, CheckStatus::Warn);
    EXPECT_THAT(misc.message, HasSubstr("not the root cgroup"));
    EXPECT_THAT(misc.message, HasSubstr("CPUID and libvirt"));
    EXPECT_EQ(r.sev_slots, (SlotCount{410, 0}));
    EXPECT_EQ(r.sev_es_slots, (SlotCount{99, 0}));
    EXPECT_EQ(r.models, kSevAndEs);
}

// Snapshots replay alone: without state.json, recorded capabilities mean
// connected with no running encrypted guests.
TEST(SnapshotReplay, CapabilitiesWithoutStateMeanConnected) {
    const auto facts = snapshot_libvirt_facts(testing::fixture("rome-split-asids"));
    EXPECT_TRUE(facts.connected);
    ASSERT_TRUE(facts.running.value.has_value());
    EXPECT_EQ(facts.running.value->sev, 0u);
    const auto r = replay("rome-split-asids");
    EXPECT_EQ(check_of(r, "libvirt.connection").status, CheckStatus::Pass);
    EXPECT_TRUE(r.libvirt.available);
}

TEST(SnapshotReplay, NoLibvirtRecordedIsNotConnected) {
    const auto facts = snapshot_libvirt_facts(testing::fixture("cloud-vm-epyc"));
    EXPECT_FALSE(facts.connected);
    EXPECT_THAT(facts.connect_error, HasSubstr("--no-libvirt"));
}

TEST(SnapshotReplay, ChoosesTheSnapshotUnlessAUriIsGiven) {
    EXPECT_EQ(choose_libvirt_source("/", false, false), LibvirtSource::Live);
    EXPECT_EQ(choose_libvirt_source("/tmp/snap", false, false), LibvirtSource::Snapshot);
    EXPECT_EQ(choose_libvirt_source("/tmp/snap", false, true), LibvirtSource::Live);
    EXPECT_EQ(choose_libvirt_source("/tmp/snap", true, true), LibvirtSource::None);
}

} // namespace
} // namespace sevd::probe
