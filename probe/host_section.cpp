// host.* checks: /dev/kvm, the memlock limit, MemTotal.
#include <cstdio>

#include "probe/report_sections.h"

namespace sevd::probe {
namespace {

std::string mib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

std::string gib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB",
                  static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string limit_text(const std::optional<uint64_t>& bytes) {
    return bytes ? mib(*bytes) : std::string("unlimited");
}

void check_memlock(const HostFacts& facts, CheckList& checks) {
    const auto& memlock = facts.memlock;
    if (!memlock.error.empty()) {
        checks.warn("host.memlock", memlock.error, "re-capture the snapshot");
        return;
    }
    if (memlock.absent()) {
        checks.skip("host.memlock", "memlock limit not recorded (proc/self/limits missing)");
        return;
    }
    // SEV guests pin all their memory. libvirt raises RLIMIT_MEMLOCK for each
    // QEMU it starts (and sevd launches only through libvirt), so this limit
    // matters only for QEMU run by hand: informative, never a failure.
    const auto& value = *memlock.value;
    std::string message = "RLIMIT_MEMLOCK soft " + limit_text(value.soft_bytes) + ", hard " +
                          limit_text(value.hard_bytes);
    if (value.soft_bytes)
        message += "; libvirt raises it for each QEMU it starts, so launches through sevd are "
                   "unaffected";
    checks.pass("host.memlock", message);
}

void check_memory(const HostFacts& facts, HostReport& report, CheckList& checks) {
    const auto& total = facts.mem_total_bytes;
    if (total.value) {
        report.mem_total_bytes = *total.value;
        checks.pass("host.memory", "MemTotal " + gib(*total.value) +
                                       " (SEV guests pin their memory: no overcommit)");
        return;
    }
    checks.warn("host.memory",
                total.error.empty() ? std::string("/proc/meminfo not recorded: MemTotal unknown")
                                    : total.error,
                kRecaptureHint);
}

} // namespace

void add_host_section(const HostFacts& facts, HostReport& report, CheckList& checks) {
    if (facts.dev_kvm_present)
        checks.pass("host.kvm", "/dev/kvm present");
    else
        checks.fail("host.kvm", "no /dev/kvm: KVM is not available",
                    "enable SVM (AMD-V) in the BIOS and load kvm_amd");
    check_memlock(facts, checks);
    check_memory(facts, report, checks);
}

} // namespace sevd::probe
