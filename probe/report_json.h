// The JSON report of DESIGN.md (`sevd probe --json`, D-Bus Describe()).
// Extra keys beyond the contract: cpu.max_extended_leaf, cpu.leaf_present,
// cpu.page_flush_msr, cpu.vmpl, kernel.module_loaded, firmware.readable,
// firmware.owner, firmware.es_initialized, firmware.snp, libvirt.consulted,
// libvirt.connected, memory.total_bytes. libvirt.max_guests/max_es_guests are
// 0 when libvirt does not report them (libvirt < 8.0 or unavailable), with
// libvirt.max_guests_reported saying which.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "probe/host_report.h"

namespace sevd::probe {

nlohmann::json report_to_json(const HostReport& report);

std::string_view check_status_name(CheckStatus status); // "pass"/"warn"/"fail"/"skip"

std::string_view firmware_state_name(FirmwareState state); // "uninit"/"init"/"working"

} // namespace sevd::probe
