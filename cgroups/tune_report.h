// `sevd tune` output: the TuneResult as JSON or as PASS/WARN/FAIL text. Pure.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cgroups/running_sev_guests.h"
#include "cgroups/tune_result.h"

namespace sevd::cgroups {

struct TuneReport {
    TuneResult result;
    RunningSevGuests guests;
    bool dry_run = false;
};

// {"action", "dry_run", "changed", "mem_total_bytes", "reserved_bytes",
//  "reserve_origin", "computed_limit_bytes", "sev_guests": {...},
//  "before": {...}, "after": {...}, "message", "hint"}
nlohmann::json tune_report_json(const TuneReport& report);

// For failures before any limit was computed (bad configuration, no cgroup):
// {"action": action, "message": message, "hint": hint}.
nlohmann::json tune_failure_json(TuneAction action, const std::string& message,
                                 const std::string& hint);

// Human output: the figures, then one PASS/WARN/FAIL/SKIP line per verdict.
std::string tune_report_text(const TuneReport& report);

} // namespace sevd::cgroups
