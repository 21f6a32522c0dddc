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
        checks.warn_es_pool("kernel.sev_es",
                            "kvm_amd.sev_es is off: no SEV-ES guests (nor SEV-SNP, which KVM "
                            "enables only with SEV-ES)",
                            "load kvm_amd with sev_es=1 (`options kvm_amd sev_es=1`); the kernel "
                            "also turns it off when the firmware leaves SEV-ES no ASIDs (see "
                            "cpu.asid_split)");
        return;
    case KvmParam::State::Missing:
        checks.warn_es_pool("kernel.sev_es",
                            "kvm_amd has no 'sev_es' parameter: kernel older than 5.11",
                            "use kernel 5.11 or later for SEV-ES (6.11 or later for SEV-SNP)");
        return;
    case KvmParam::State::Garbage:
        checks.warn_es_pool("kernel.sev_es", garbage_message("sev_es", param), kRecaptureHint);
        return;
    }
}

// snphost ok: "SNP enabled in KVM". The kernel SNP-initializes the firmware
// (SNP_INIT) when it loads kvm_amd with sev_snp on.
void check_sev_snp_param(const KvmParam& param, const HostReport& report, CheckList& checks) {
    if (!report.cpu.sev_snp) {
        checks.skip_snp("kernel.sev_snp", "CPU lacks SEV-SNP");
        return;
    }
    switch (param.state) {
    case KvmParam::State::Enabled:
        checks.pass("kernel.sev_snp", "kvm_amd.sev_snp enabled: SNP firmware initialized by the "
                                      "kernel, RMP table in use");
        return;
    case KvmParam::State::Disabled:
        checks.warn_snp("kernel.sev_snp", "kvm_amd.sev_snp is off: no SEV-SNP guests",
                        "enable SEV-SNP and SNP memory coverage in the BIOS (AMD CBS > CPU Common "
                        "Options, NBIO > IOMMU on), then load kvm_amd with sev_snp=1 (`options "
                        "kvm_amd sev_snp=1`, kernel 6.11 or later); note that SEV-ES guests then "
                        "stop working (see kernel.sev_es_with_snp)");
        return;
    case KvmParam::State::Missing:
        checks.warn_snp("kernel.sev_snp",
                        "kvm_amd has no 'sev_snp' parameter: kernel older than 6.11 (no SEV-SNP "
                        "host support)",
                        "use kernel 6.11 or later for SEV-SNP guests");
        return;
    case KvmParam::State::Garbage:
        checks.warn_snp("kernel.sev_snp", garbage_message("sev_snp", param), kRecaptureHint);
        return;
    }
}

// Nova (bug 2157891) and KubeVirt (issue 17118) close SEV-ES where SNP is on:
// firmware that fixes CVE-2025-48514 refuses SEV-ES guests (LAUNCH_START
// "Feature not supported") once SNP is initialized; older firmware runs them
// but lets an SEV-ES guest attack the SNP guests. SNP is initialized exactly
// when kvm_amd.sev_snp is on, so that is the condition (Nova's too).
void check_sev_es_with_snp(const HostReport& report, CheckList& checks) {
    if (!report.kernel.sev_es) {
        checks.skip("kernel.sev_es_with_snp", "SEV-ES not enabled");
        return;
    }
    if (!report.kernel.sev_snp) {
        checks.pass("kernel.sev_es_with_snp",
                    "SEV-SNP is off, so SEV-ES guests are allowed by the firmware");
        return;
    }
    checks.warn_es("kernel.sev_es_with_snp",
                   "SEV-ES closed: kvm_amd.sev_snp is on, and SEV firmware with the fix for "
                   "CVE-2025-48514 refuses SEV-ES guests while SNP is initialized (older "
                   "firmware runs them, but an SEV-ES guest can then attack the SNP guests)",
                   "launch these guests as amd-sev-snp; or, for SEV-ES, turn SNP off "
                   "(`options kvm_amd sev_snp=0`, or SEV-SNP off in the BIOS) and reload "
                   "kvm_amd, which closes SEV-SNP instead");
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
    if (facts.misc_capacity.absent() && facts.cgroup_namespaced) {
        checks.warn("kernel.misc_cgroup",
                    "no misc.capacity: /sys/fs/cgroup is not the root cgroup (it has "
                    "cgroup.type: sevd runs in a cgroup namespace, e.g. a container), and only "
                    "the root cgroup lists misc.capacity; slot totals come from CPUID and "
                    "libvirt, used slots from libvirt",
                    "run sevd in the host's cgroup namespace (e.g. `--cgroupns=host` with "
                    "/sys/fs/cgroup mounted from the host) so the host's ASID limits are seen");
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
    report.kernel.misc_capacity_hidden = facts.misc_capacity.absent() && facts.cgroup_namespaced;

    if (known_non_amd(report)) {
        const std::string reason = "kvm_amd is AMD's KVM module (vendor " + report.cpu.vendor + ")";
        for (const auto* id : {"kernel.kvm_amd", "kernel.sev", "kernel.sev_es", "kernel.sev_snp",
                               "kernel.sev_es_with_snp", "kernel.misc_cgroup"})
            checks.skip(id, reason);
        return;
    }
    if (!facts.kvm_amd_loaded) {
        checks.fail("kernel.kvm_amd", "kvm_amd is not loaded (no /sys/module/kvm_amd/parameters)",
                    "enable SVM in the BIOS and `modprobe kvm_amd sev=1 sev_es=1`");
        for (const auto* id :
             {"kernel.sev", "kernel.sev_es", "kernel.sev_snp", "kernel.sev_es_with_snp"})
            checks.skip(id, "kvm_amd not loaded");
    } else {
        checks.pass("kernel.kvm_amd", "kvm_amd loaded");
        check_sev_param(facts.kvm_sev, checks);
        check_sev_es_param(facts.kvm_sev_es, report, checks);
        check_sev_snp_param(facts.kvm_sev_snp, report, checks);
        check_sev_es_with_snp(report, checks);
    }
    check_misc_cgroup(facts, checks);
}

} // namespace sevd::probe
