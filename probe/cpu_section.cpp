// cpu.* checks: what the CPU (CPUID) says it can do.
#include <cstdio>

#include "probe/cpuid_decoder.h"
#include "probe/report_sections.h"

namespace sevd::probe {
namespace {

constexpr const char* kCpuIds[] = {"cpu.brand",  "cpu.extended_leaf", "cpu.sev",
                                   "cpu.sev_es", "cpu.sev_snp",       "cpu.sme",
                                   "cpu.cbit",   "cpu.asids",         "cpu.asid_split"};

std::string hex(uint32_t value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", value);
    return buf;
}

std::string range(uint32_t first, uint32_t count) {
    if (count == 0)
        return "none";
    return std::to_string(first) + ".." + std::to_string(first + count - 1) + " (" +
           std::to_string(count) + ")";
}

// Skips every cpu.* check from `first_id` on (in kCpuIds order) with one reason.
void skip_from(CheckList& checks, std::string_view first_id, const std::string& reason) {
    bool skipping = false;
    for (const auto* id : kCpuIds) {
        skipping = skipping || first_id == id;
        if (skipping)
            checks.skip(id, reason);
    }
}

void check_vendor_and_hypervisor(const CpuReport& cpu, CheckList& checks) {
    if (cpu.vendor == cpuid::kAmdVendor)
        checks.pass("cpu.vendor", "CPU vendor AuthenticAMD");
    else
        checks.fail("cpu.vendor",
                    "CPU vendor is " + cpu.vendor + ", not AuthenticAMD: SEV is AMD-only",
                    "run sevd on an AMD EPYC host");
    if (cpu.hypervisor)
        checks.fail("cpu.hypervisor",
                    "this machine is a virtual machine (CPUID.1:ECX[31], the hypervisor bit, is "
                    "set): its CPUID comes from the hypervisor and KVM cannot launch SEV guests "
                    "nested inside a guest",
                    "run sevd on the bare-metal host");
    else
        checks.pass("cpu.hypervisor", "bare metal (hypervisor bit CPUID.1:ECX[31] clear)");
}

void check_brand(const CpuReport& cpu, CheckList& checks) {
    if (cpu.brand.find("EPYC") != std::string::npos)
        checks.pass("cpu.brand", cpu.brand);
    else
        checks.warn("cpu.brand",
                    "'" + cpu.brand +
                        "' is not an EPYC part: consumer parts set the SEV CPUID bits, but their "
                        "platforms do not run SEV guests",
                    "use an AMD EPYC server CPU (7002 'Rome' or later for SEV-ES)");
}

void check_features(const CpuReport& cpu, CheckList& checks) {
    checks.pass("cpu.sev", "SEV supported (CPUID 0x8000001F EAX bit 1)");
    if (cpu.sev_es)
        checks.pass("cpu.sev_es", "SEV-ES supported (EAX bit 3)");
    else
        checks.warn_es_pool(
            "cpu.sev_es",
            "SEV-ES not supported (EAX bit 3 clear): plain SEV only, as on "
            "first-gen EPYC 'Naples'",
            "SEV-ES needs EPYC 7002 'Rome' or later, SEV-SNP 7003 'Milan' or later");
    if (cpu.sev_snp)
        checks.pass("cpu.sev_snp", "SEV-SNP supported (EAX bit 4)");
    else
        checks.skip_snp("cpu.sev_snp", "SEV-SNP not supported (EAX bit 4 clear; EPYC 7003 "
                                       "'Milan' or later has it); not needed for SEV/SEV-ES");
    if (cpu.sme)
        checks.pass("cpu.sme", "SME supported (EAX bit 0)");
    else
        checks.warn("cpu.sme", "SME bit clear although SEV is set: unusual",
                    "update the BIOS/AGESA and re-check");
}

void check_cbit(const CpuReport& cpu, CheckList& checks) {
    // The C-bit is a physical address bit above any real memory: 0 means unset.
    if (cpu.cbitpos == 0) {
        checks.fail("cpu.cbit", "C-bit position is 0 (CPUID 0x8000001F EBX[5:0]): invalid",
                    "update the BIOS/AGESA; memory encryption is not configured");
        return;
    }
    std::string message = "C-bit " + std::to_string(cpu.cbitpos) + ", physical address reduction " +
                          std::to_string(cpu.reduced_phys_bits) + " bits";
    if (cpu.vmpl)
        message += ", " + std::to_string(cpu.vmpls) + " VMPLs";
    checks.pass("cpu.cbit", message);
}

void check_asids(const CpuReport& cpu, CheckList& checks) {
    if (cpu.max_asid == 0) {
        checks.fail("cpu.asids", "no encryption ASIDs (CPUID 0x8000001F ECX = 0)",
                    "enable SEV in the BIOS (AMD CBS > CPU Common Options: SEV ASID count)");
        checks.skip("cpu.asid_split", "no ASIDs");
        return;
    }
    const uint32_t sev = sev_asid_count(cpu);
    const uint32_t es = sev_es_asid_count(cpu);
    checks.pass("cpu.asids", "ASIDs 1.." + std::to_string(cpu.max_asid) + ": minimum SEV ASID " +
                                 std::to_string(cpu.min_sev_asid) + "; SEV " +
                                 range(cpu.max_asid - sev + 1, sev) + ", SEV-ES " + range(1, es));
    if (!cpu.sev_es) {
        checks.skip("cpu.asid_split", "no SEV-ES on this CPU: every ASID is plain SEV");
        return;
    }
    if (es == 0) {
        checks.warn_es_pool(
            "cpu.asid_split",
            "minimum SEV ASID is " + std::to_string(cpu.min_sev_asid) +
                " (CPUID 0x8000001F EDX): every ASID goes to plain SEV, none to SEV-ES and "
                "SEV-SNP (which share ASIDs 1..min-1)",
            "in the BIOS setup set 'SEV-ES ASID Space Limit' (AMD CBS > CPU Common Options; "
            "'Minimum SEV non-ES ASID' on some boards) above 1, e.g. 100: SEV-ES gets ASIDs "
            "1..99, plain SEV 100.." +
                std::to_string(cpu.max_asid));
        return;
    }
    checks.pass("cpu.asid_split", "SEV-ES" + std::string(cpu.sev_snp ? " and SEV-SNP" : "") +
                                      " ASIDs " + range(1, es) + ", SEV ASIDs " +
                                      range(cpu.max_asid - sev + 1, sev));
}

} // namespace

bool known_non_amd(const HostReport& report) {
    return !report.cpu.vendor.empty() && report.cpu.vendor != cpuid::kAmdVendor;
}

void add_cpu_section(const HostFacts& facts, HostReport& report, CheckList& checks) {
    if (!facts.cpu.value) {
        checks.fail("cpu.cpuid", "cannot read CPUID: " + facts.cpu.error,
                    "a snapshot needs DIR/cpuid in `cpuid -r -1` format: re-run `sevd capture`");
        skip_from(checks, kCpuIds[0], "CPUID unknown");
        return;
    }
    const auto& cpu = *facts.cpu.value;
    report.cpu = cpu;
    check_vendor_and_hypervisor(cpu, checks);
    if (cpu.vendor != cpuid::kAmdVendor) {
        skip_from(checks, kCpuIds[0], "not an AMD CPU (vendor " + cpu.vendor + ")");
        return;
    }
    check_brand(cpu, checks);
    if (!cpu.leaf_present) {
        checks.fail("cpu.extended_leaf",
                    "max extended leaf " + hex(cpu.max_extended_leaf) +
                        " is below 0x8000001f: no memory-encryption leaf (a hypervisor may hide "
                        "it), so nothing in it can be trusted",
                    "run sevd on a bare-metal AMD EPYC host");
        skip_from(checks, "cpu.sev", "leaf 0x8000001f absent");
        return;
    }
    checks.pass("cpu.extended_leaf", "max extended leaf " + hex(cpu.max_extended_leaf));
    if (!cpu.sev) {
        checks.fail("cpu.sev", "SEV not supported (CPUID 0x8000001F EAX bit 1 clear)",
                    "use an AMD EPYC CPU (7001 'Naples' or later)");
        skip_from(checks, "cpu.sev_es", "CPU lacks SEV");
        return;
    }
    check_features(cpu, checks);
    check_cbit(cpu, checks);
    check_asids(cpu, checks);
}

} // namespace sevd::probe
