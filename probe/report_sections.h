// The report builder's sections (pure): each fills its part of the report
// and appends its checks. Called in this order by build_report.
#pragma once

#include <optional>

#include "probe/check_list.h"
#include "probe/host_facts.h"
#include "probe/host_report.h"

namespace sevd::probe {

// The fix for a snapshot file that is missing, unreadable or malformed.
inline constexpr const char* kRecaptureHint = "re-capture the snapshot (`sevd capture DIR`)";

// cpu.*: vendor, hypervisor, brand, extended leaf, feature bits, C-bit, ASIDs.
void add_cpu_section(const HostFacts& facts, HostReport& report, CheckList& checks);
// kernel.*: kvm_amd and its parameters, the misc cgroup.
void add_kernel_section(const HostFacts& facts, HostReport& report, CheckList& checks);
// firmware.*: /dev/sev, SEV_PLATFORM_STATUS, SEV-ES init flag, SNP status.
void add_firmware_section(const HostFacts& facts, HostReport& report, CheckList& checks);
// host.*: /dev/kvm, memlock limit, MemTotal.
void add_host_section(const HostFacts& facts, HostReport& report, CheckList& checks);
// libvirt.*: connection, <sev> view, agreement with CPUID, running guests.
void add_libvirt_section(const std::optional<LibvirtFacts>& libvirt, HostReport& report,
                         CheckList& checks);

// True when the CPU is known and not AMD: AMD-only checks then skip.
bool known_non_amd(const HostReport& report);

} // namespace sevd::probe
