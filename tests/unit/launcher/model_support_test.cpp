// Why a model cannot be launched, derived from the host report.
#include <gtest/gtest.h>

#include "launcher/model_support.h"

namespace sevd::launcher {
namespace {

// EPYC 7742 (Rome), default firmware setting: min SEV ASID 1 → SEV only
// (facts/real-hosts.md: ECX 509, EDX 1).
probe::HostReport rome() {
    probe::HostReport r;
    r.cpu.vendor = "AuthenticAMD";
    r.cpu.leaf_present = r.cpu.sev = r.cpu.sev_es = true;
    r.cpu.cbitpos = 47;
    r.cpu.max_asid = 509;
    r.cpu.min_sev_asid = 1;
    r.kernel.module_loaded = r.kernel.sev = r.kernel.sev_es = true;
    r.libvirt.available = r.libvirt.sev = true;
    r.sev_slots = {509, 0};
    r.sev_es_slots = {0, 0};
    r.models = {EncryptionModel::Sev};
    return r;
}

// A Genoa with SNP on and Debian 12's libvirt (no sev-snp launch security).
probe::HostReport genoa_snp_libvirt9() {
    auto r = rome();
    r.cpu.sev_snp = true;
    r.cpu.min_sev_asid = 253;
    r.cpu.max_asid = 1006;
    r.kernel.sev_snp = true;
    r.sev_snp_slots = {252, 0};
    return r;
}

TEST(ModelSupport, SnpWithoutLibvirtSupportNamesLibvirt105) {
    const auto support = model_support(genoa_snp_libvirt9(), EncryptionModel::SevSnp);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_NE(support.reason.find("libvirt 10.5"), std::string::npos) << support.reason;
}

TEST(ModelSupport, SnpNeedsTheCpuAndTheKernel) {
    EXPECT_NE(model_support(rome(), EncryptionModel::SevSnp).reason.find("SEV-SNP"),
              std::string::npos);
    auto r = genoa_snp_libvirt9();
    r.kernel.sev_snp = false;
    EXPECT_NE(model_support(r, EncryptionModel::SevSnp).reason.find("kvm_amd.sev_snp"),
              std::string::npos);
}

// SEV-ES closed by a warning (SNP on): the refusal quotes it.
TEST(ModelSupport, SevEsClosedByAWarningSaysWhy) {
    auto r = genoa_snp_libvirt9();
    r.libvirt.sev_snp = true;
    r.sev_es_slots = {252, 0};
    r.models = {EncryptionModel::Sev, EncryptionModel::SevSnp};
    probe::Check check{"kernel.sev_es_with_snp",
                       probe::CheckStatus::Warn,
                       "SEV-ES closed: kvm_amd.sev_snp is on",
                       "launch these guests as amd-sev-snp",
                       {EncryptionModel::SevEs}};
    r.checks.push_back(check);
    const auto support = model_support(r, EncryptionModel::SevEs);
    EXPECT_FALSE(support.launchable);
    EXPECT_NE(support.reason.find("amd-sev-snp"), std::string::npos) << support.reason;
    EXPECT_TRUE(model_support(r, EncryptionModel::SevSnp).launchable);
}

TEST(ModelSupport, ListedModelIsLaunchable) {
    EXPECT_TRUE(model_support(rome(), EncryptionModel::Sev).launchable);
}

TEST(ModelSupport, RomeWithMinAsidOneHasNoSevEsAndSaysWhatToChange) {
    const auto support = model_support(rome(), EncryptionModel::SevEs);
    EXPECT_FALSE(support.launchable);
    EXPECT_NE(support.reason.find("no SEV-ES ASIDs"), std::string::npos) << support.reason;
    EXPECT_NE(support.reason.find("SEV-ES ASID Space Limit"), std::string::npos) << support.reason;
}

TEST(ModelSupport, IntelVirtualMachine) {
    probe::HostReport r;
    r.cpu.vendor = "GenuineIntel";
    r.cpu.hypervisor = true;
    const auto support = model_support(r, EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_NE(support.reason.find("GenuineIntel"), std::string::npos);
    EXPECT_NE(support.reason.find("virtual machine"), std::string::npos);
}

TEST(ModelSupport, KernelParameterOff) {
    auto r = rome();
    r.kernel.sev_es = false;
    r.cpu.min_sev_asid = 100;
    EXPECT_NE(model_support(r, EncryptionModel::SevEs).reason.find("kvm_amd sev_es=1"),
              std::string::npos);
}

TEST(ModelSupport, LibvirtWithoutSev) {
    auto r = rome();
    r.models.clear();
    r.libvirt.sev = false;
    const auto support = model_support(r, EncryptionModel::Sev);
    EXPECT_NE(support.reason.find("<sev supported='no'>"), std::string::npos);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
}

TEST(ModelSupport, CapableHostWithLibvirtUnreachableIsALibvirtRefusal) {
    // Everything on the host is fine; only libvirt is not answering: the
    // caller should start libvirt and retry, so the refusal is Libvirt.
    auto r = rome();
    r.models.clear();
    r.libvirt.available = r.libvirt.sev = false;
    const auto support = model_support(r, EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Libvirt);
    EXPECT_NE(support.reason.find("check that libvirtd runs"), std::string::npos) << support.reason;
}

TEST(ModelSupport, HostFaultsComeBeforeAnUnreachableLibvirt) {
    // An Intel VM whose libvirt is also down: the CPU is the reason, and the
    // refusal stays Unsupported (starting libvirt would not help).
    probe::HostReport r;
    r.cpu.vendor = "GenuineIntel";
    const auto support = model_support(r, EncryptionModel::Sev);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_EQ(model_support(rome(), EncryptionModel::SevEs).refusal, ErrorCode::Unsupported);
}

TEST(ModelSupport, SlotsCappedToZero) {
    auto r = rome();
    r.models.clear();
    r.sev_slots = {0, 0};
    EXPECT_NE(model_support(r, EncryptionModel::Sev).reason.find("no usable ASID slots"),
              std::string::npos);
}

} // namespace
} // namespace sevd::launcher
