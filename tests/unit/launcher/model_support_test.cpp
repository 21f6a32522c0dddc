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
