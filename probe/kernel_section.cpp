// kernel.* checks: kvm_amd and its parameters, the misc cgroup ASID counters.
#include "probe/report_sections.h"

namespace sevd::probe {
namespace {

constexpr const char* kParamDir = "/sys/module/kvm_amd/parameters/";

std::string garbage_message(const char* name, const KvmParam& param) {
    return "cannot read kvm_amd." + std::string(name) + ": unrecognized value '" + param.raw +
           "' (expected 1/0/Y/N)";
}

void check_sev_param(const KvmParam& param, CheckList& checks) {
    switch (param.state) {
    case KvmParam::State::Enabled:
        checks.pass("kernel.sev", "kvm_amd.sev enabled");
        return;
    case KvmParam::State::Disabled:
        checks.fail("kernel.sev", "kvm_amd.sev is off: KVM will not launch SEV guests",
                    "enable SEV and SMEE in the BIOS, then load the module with SEV on: "
                    "`options kvm_amd sev=1` in /etc/modprobe.d/kvm-amd.conf (or kvm_amd.sev=1 "
                    "mem_encrypt=on on the kernel command line) and reload kvm_amd");
        return;
    case KvmParam::State::Missing:
        checks.fail("kernel.sev",
                    std::string("kvm_amd has no 'sev' parameter (") + kParamDir +
                        "sev): kernel built without CONFIG_KVM_AMD_SEV",
                    "use a kernel with CONFIG_KVM_AMD_SEV=y");
        return;
    case KvmParam::State::Garbage:
        checks.fail("kernel.sev", garbage_message("sev", param), kRecaptureHint);
        return;
    }
}

void check_sev_es_param(const KvmParam& param, const HostReport& report, CheckList& checks) {
    if (!report.cpu.sev_es) {
        checks.skip("kernel.sev_es", "CPU lacks SEV-ES");
        return;
    }
    switch (param.state) {
    case KvmParam::State::Enabled:
        checks.pass("kernel.sev_es", "kvm_amd.sev_es enabled");
        return;
    case KvmParam::State::Disabled:
        checks.warn_es("kernel.sev_es", "kvm_amd.sev_es is off: no SEV-ES guests",
                       "load kvm_amd with sev_es=1 (`options kvm_amd sev_es=1`); the kernel also "
                       "turns it off when the firmware leaves SEV-ES no ASIDs (see "
                       "cpu.asid_split)");
        return;
    case KvmParam::State::Missing:
        checks.warn_es("kernel.sev_es", "kvm_amd has no 'sev_es' parameter: kernel older than 5.11",
                       "use kernel 5.11 or later for SEV-ES");
        return;
    case KvmParam::State::Garbage:
        checks.warn_es("kernel.sev_es", garbage_message("sev_es", param), kRecaptureHint);
        return;
    }
}

void check_sev_snp_param(const KvmParam& param, CheckList& checks) {
    if (param.state == KvmParam::State::Enabled)
        checks.pass("kernel.sev_snp", "kvm_amd.sev_snp enabled (reported only)");
    else if (param.state == KvmParam::State::Garbage)
        checks.warn("kernel.sev_snp", garbage_message("sev_snp", param), kRecaptureHint);
    else
        checks.skip("kernel.sev_snp", "kvm_amd.sev_snp off or absent (not needed for SEV/SEV-ES)");
}

std::string counts_text(const MiscCounts& counts) {
    return "sev " + std::to_string(counts.sev) + ", sev_es " + std::to_string(counts.sev_es);
}

void check_misc_cgroup(const HostFacts& facts, CheckList& checks) {
    if (!facts.misc_capacity.error.empty()) {
        checks.warn("kernel.misc_cgroup", facts.misc_capacity.error + "; ignoring it",
                    "re-capture the snapshot, or check the misc cgroup controller");
        return;
    }
    if (facts.misc_capacity.absent()) {
        checks.skip("kernel.misc_cgroup",
                    "no misc.capacity (kernel < 5.13 or misc controller not mounted): slot "
                    "totals come from CPUID");
        return;
    }
    std::string message = "misc cgroup " + facts.misc_path + ": capacity " +
                          counts_text(*facts.misc_capacity.value) + "; current ";
    if (facts.misc_current.value)
        message += counts_text(*facts.misc_current.value);
    else if (facts.misc_current.absent())
        message += "not exposed on the root (kernel < 6.5): used slots come from libvirt";
    if (!facts.misc_current.error.empty()) {
        checks.warn("kernel.misc_cgroup", message + facts.misc_current.error + "; ignoring it",
                    "re-capture the snapshot");
        return;
    }
    checks.pass("kernel.misc_cgroup", message);
}

} // namespace

void add_kernel_section(const HostFacts& facts, HostReport& report, CheckList& checks) {
    report.kernel.module_loaded = facts.kvm_amd_loaded;
    report.kernel.sev = facts.kvm_sev.enabled();
    report.kernel.sev_es = facts.kvm_sev_es.enabled();
    report.kernel.sev_snp = facts.kvm_sev_snp.enabled();

    if (known_non_amd(report)) {
        const std::string reason = "kvm_amd is AMD's KVM module (vendor " + report.cpu.vendor + ")";
        for (const auto* id : {"kernel.kvm_amd", "kernel.sev", "kernel.sev_es", "kernel.sev_snp",
                               "kernel.misc_cgroup"})
            checks.skip(id, reason);
        return;
    }
    if (!facts.kvm_amd_loaded) {
        checks.fail("kernel.kvm_amd", "kvm_amd is not loaded (no /sys/module/kvm_amd/parameters)",
                    "enable SVM in the BIOS and `modprobe kvm_amd sev=1 sev_es=1`");
        for (const auto* id : {"kernel.sev", "kernel.sev_es", "kernel.sev_snp"})
            checks.skip(id, "kvm_amd not loaded");
    } else {
        checks.pass("kernel.kvm_amd", "kvm_amd loaded");
        check_sev_param(facts.kvm_sev, checks);
        check_sev_es_param(facts.kvm_sev_es, report, checks);
        check_sev_snp_param(facts.kvm_sev_snp, checks);
    }
    check_misc_cgroup(facts, checks);
}

} // namespace sevd::probe
