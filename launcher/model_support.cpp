#include "launcher/model_support.h"

#include <algorithm>
#include <string_view>

#include "common/text.h"

namespace sevd::launcher {
namespace {

constexpr std::string_view kAmdVendor = "AuthenticAMD";
constexpr size_t kMaxCheckText = 1024; // probe text may quote libvirt errors

std::string cpu_reason(const probe::CpuReport& cpu, EncryptionModel model) {
    if (cpu.vendor != kAmdVendor) {
        std::string why = "the CPU vendor is '" + printable(cpu.vendor) + "', not " +
                          std::string(kAmdVendor) + "; encrypted guests need an AMD EPYC host";
        if (cpu.hypervisor)
            why += " (this host is itself a virtual machine: run sevd on the bare-metal host)";
        return why;
    }
    if (!cpu.leaf_present)
        return "CPUID leaf 0x8000001F (AMD memory encryption) is not reported" +
               std::string(cpu.hypervisor ? " (hidden by the hypervisor: run on bare metal)" : "");
    if (!cpu.sev)
        return "the CPU does not report SEV (CPUID 0x8000001F EAX bit 1); enable SME/SEV in the "
               "BIOS";
    if (model != EncryptionModel::Sev && !cpu.sev_es)
        return "the CPU does not report SEV-ES (CPUID 0x8000001F EAX bit 3)";
    if (model == EncryptionModel::SevSnp && !cpu.sev_snp)
        return "the CPU does not report SEV-SNP (CPUID 0x8000001F EAX bit 4); SEV-SNP needs EPYC "
               "7003 'Milan' or later";
    return {};
}

std::string kernel_reason(const probe::KernelReport& kernel, EncryptionModel model) {
    if (!kernel.module_loaded)
        return "the kvm_amd module is not loaded; load it with 'modprobe kvm_amd sev=1 sev_es=1'";
    if (!kernel.sev)
        return "kvm_amd.sev is disabled; set 'options kvm_amd sev=1' in /etc/modprobe.d and "
               "reload kvm_amd";
    if (model != EncryptionModel::Sev && !kernel.sev_es)
        return "kvm_amd.sev_es is disabled; set 'options kvm_amd sev_es=1' in /etc/modprobe.d and "
               "reload kvm_amd";
    if (model == EncryptionModel::SevSnp && !kernel.sev_snp)
        return "kvm_amd.sev_snp is disabled; enable SEV-SNP in the BIOS and set 'options kvm_amd "
               "sev_snp=1' (kernel 6.11 or later), then reload kvm_amd";
    return {};
}

std::string asid_reason(const probe::CpuReport& cpu, EncryptionModel model) {
    if (model != EncryptionModel::Sev && cpu.min_sev_asid <= 1)
        return "no SEV-ES ASIDs (SEV-SNP uses them too): the firmware's minimum SEV ASID is " +
               std::to_string(cpu.min_sev_asid) +
               ", which leaves ASIDs 1..min-1 empty; raise the SEV-ES ASID space in the BIOS "
               "('SEV-ES ASID Space Limit' / min SEV ASID)";
    if (model == EncryptionModel::Sev && cpu.min_sev_asid > cpu.max_asid)
        return "no SEV ASIDs: the minimum SEV ASID (" + std::to_string(cpu.min_sev_asid) +
               ") is above the highest ASID (" + std::to_string(cpu.max_asid) +
               "); lower 'SEV-ES ASID Space Limit' in the BIOS";
    return {};
}

std::string libvirt_reason(const probe::LibvirtReport& libvirt, EncryptionModel model) {
    if (!libvirt.available)
        return "libvirt's domain capabilities could not be read; check that libvirtd runs and "
               "the libvirt URI in sevd.conf";
    if (!libvirt.sev)
        return "libvirt reports <sev supported='no'> for q35: QEMU or the kernel on this host "
               "cannot start SEV guests";
    if (model == EncryptionModel::SevSnp && !libvirt.sev_snp)
        return "libvirt does not list launch security type sev-snp in its domain capabilities: "
               "SEV-SNP guests need libvirt 10.5 or later with QEMU 9.1 or later (Debian 12 "
               "ships libvirt 9.0)";
    return {};
}

bool closes(const probe::Check& check, EncryptionModel model) {
    return std::find(check.closes.begin(), check.closes.end(), model) != check.closes.end();
}

std::string first_failed_check(const probe::HostReport& report) {
    for (const auto& check : report.checks) {
        if (check.status != probe::CheckStatus::Fail)
            continue;
        auto why = check.message;
        if (!check.hint.empty())
            why += "; " + check.hint;
        return printable(why, kMaxCheckText);
    }
    return {};
}

} // namespace

ModelSupport model_support(const probe::HostReport& report, EncryptionModel model) {
    if (report.launchable(model))
        return {true, {}};
    const auto prefix = std::string(model_name(model)) + " cannot be launched on this host: ";
    for (const auto& why : {cpu_reason(report.cpu, model), kernel_reason(report.kernel, model),
                            asid_reason(report.cpu, model)}) {
        if (!why.empty())
            return {false, prefix + why};
    }
    if (const auto why = libvirt_reason(report.libvirt, model); !why.empty())
        return {false, prefix + why,
                report.libvirt.available ? ErrorCode::Unsupported : ErrorCode::Libvirt};
    if (report.slots(model).total == 0)
        return {false, prefix + "no usable ASID slots (capped to 0 by misc.capacity, libvirt's "
                                "maxGuests/maxESGuests or max_encrypted_guests in sevd.conf)"};
    // Closed by a warning (e.g. SEV-ES while SNP is on): its message says why.
    for (const auto& check : report.checks)
        if (check.status == probe::CheckStatus::Warn && closes(check, model))
            return {false, prefix + printable(check.message + "; " + check.hint, kMaxCheckText)};
    const auto check = first_failed_check(report);
    return {false,
            prefix + (check.empty() ? "the host probe does not list it as launchable" : check)};
}

} // namespace sevd::launcher
