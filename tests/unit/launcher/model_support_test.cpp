// Why a model cannot be launched: the probe's verdict (the check that closes
// it) read from reports of the fixture hosts, built by the real readers. The
// expected checks follow from the probe's rules and tests/fixtures/README.md.
#include <gtest/gtest.h>

#include "launcher/model_support.h"
#include "tests/unit/probe/fixture_report.h"

namespace sevd::launcher {
namespace {

using probe::testing::report_for;

// A libvirt socket nobody listens on.
constexpr const char* kUnreachable = "qemu+unix:///system?socket=/nonexistent/sevd-test-sock";

// A snapshot with the libvirt it recorded (libvirt/ in the fixture).
probe::HostReport replay(const std::string& host) {
    const auto root = probe::testing::fixture(host);
    return probe::build_report(probe::read_host_facts(root), probe::snapshot_libvirt_facts(root),
                               std::nullopt);
}

bool names(const ModelSupport& support, const std::string& check) {
    return support.reason.find("(check " + check + ")") != std::string::npos;
}

TEST(ModelSupport, LaunchableModelsHaveNoReason) {
    const auto report = report_for("rome-split-asids");
    for (const auto model : {EncryptionModel::Sev, EncryptionModel::SevEs}) {
        const auto support = model_support(report, model);
        EXPECT_TRUE(support.launchable) << model_name(model) << ": " << support.reason;
        EXPECT_TRUE(support.reason.empty());
    }
}

// Rome at the BIOS default (minimum SEV ASID 1): every ASID is plain SEV.
TEST(ModelSupport, NoSevEsAsidsNamesTheBiosSetting) {
    const auto support = model_support(report_for("rome-7742"), EncryptionModel::SevEs);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_TRUE(names(support, "cpu.asid_split")) << support.reason;
    EXPECT_NE(support.reason.find("SEV-ES ASID Space Limit"), std::string::npos) << support.reason;
    EXPECT_EQ(support.reason.rfind("amd-sev-es cannot be launched on this host: ", 0), 0u);
}

// Rome has no SNP (CPUID EAX bit 4): the CPU check says so before any other.
TEST(ModelSupport, SnpOnACpuWithoutItNamesTheCpu) {
    const auto support = model_support(report_for("rome-7742"), EncryptionModel::SevSnp);
    EXPECT_FALSE(support.launchable);
    EXPECT_TRUE(names(support, "cpu.sev_snp")) << support.reason;
}

// Genoa with SNP on and Debian 12's libvirt 9.0: SNP waits for libvirt 10.5,
// and SEV-ES is closed by the firmware rule while SNP is on.
TEST(ModelSupport, SnpWithLibvirt9AndSevEsWithSnpOn) {
    const auto report = replay("genoa-snp-on-libvirt9");
    const auto snp = model_support(report, EncryptionModel::SevSnp);
    EXPECT_FALSE(snp.launchable);
    EXPECT_EQ(snp.refusal, ErrorCode::Unsupported);
    EXPECT_TRUE(names(snp, "libvirt.sev_snp")) << snp.reason;
    const auto es = model_support(report, EncryptionModel::SevEs);
    EXPECT_FALSE(es.launchable);
    EXPECT_TRUE(names(es, "kernel.sev_es_with_snp")) << es.reason;
    EXPECT_NE(es.reason.find("CVE-2025-48514"), std::string::npos) << es.reason;
}

TEST(ModelSupport, IntelVirtualMachineNamesTheVendor) {
    const auto support = model_support(report_for("intel-kvm-guest"), EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_TRUE(names(support, "cpu.vendor")) << support.reason;
    EXPECT_NE(support.reason.find("GenuineIntel"), std::string::npos) << support.reason;
}

TEST(ModelSupport, KernelParameterOffNamesIt) {
    const auto support = model_support(report_for("rome-kvm-sev-off"), EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_TRUE(names(support, "kernel.sev")) << support.reason;
}

// libvirt answers but says <sev supported='no'>: the host cannot, Unsupported.
TEST(ModelSupport, LibvirtWithoutSevIsUnsupported) {
    const auto support = model_support(report_for("rome-libvirt-sev-no"), EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_TRUE(names(support, "libvirt.sev")) << support.reason;
}

// Everything on the host is fine; only libvirt is not answering: the caller
// should start libvirt and retry, so the refusal is Libvirt.
TEST(ModelSupport, CapableHostWithLibvirtUnreachableIsALibvirtRefusal) {
    const auto support =
        model_support(report_for("rome-split-asids", kUnreachable), EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_EQ(support.refusal, ErrorCode::Libvirt);
    EXPECT_TRUE(names(support, "libvirt.connection")) << support.reason;
}

// An Intel VM whose libvirt is also down: the CPU is the reason, and the
// refusal stays Unsupported (starting libvirt would not help).
TEST(ModelSupport, HostFaultsComeBeforeAnUnreachableLibvirt) {
    const auto support =
        model_support(report_for("intel-kvm-guest", kUnreachable), EncryptionModel::Sev);
    EXPECT_EQ(support.refusal, ErrorCode::Unsupported);
    EXPECT_TRUE(names(support, "cpu.vendor")) << support.reason;
}

// max_encrypted_guests = 0 caps both pools to nothing.
TEST(ModelSupport, SlotsCappedToZeroNameTheSlotCheck) {
    const auto report = report_for("rome-split-asids", probe::testing::kTestDriver, 0);
    const auto support = model_support(report, EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_TRUE(names(support, "slots.amd-sev")) << support.reason;
}

// A report with no check closing the model (not one the probe builds).
TEST(ModelSupport, WithoutAClosingCheckSaysTheProbeDoesNotListIt) {
    probe::HostReport report;
    const auto support = model_support(report, EncryptionModel::Sev);
    EXPECT_FALSE(support.launchable);
    EXPECT_NE(support.reason.find("does not list it"), std::string::npos);
}

} // namespace
} // namespace sevd::launcher
