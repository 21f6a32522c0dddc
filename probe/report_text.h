// Human output of a report: one "PASS/WARN/FAIL/SKIP id: reason" line per
// check, the fix indented under WARN/FAIL, then a short summary.
#pragma once

#include <string>

#include "probe/host_report.h"

namespace sevd::probe {

std::string report_to_text(const HostReport& report);

} // namespace sevd::probe
