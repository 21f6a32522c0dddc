#include "export/prometheus_metrics.h"

#include <array>
#include <set>

#include "export/metric_text.h"
#include "probe/report_json.h"

namespace sevd::exports {
namespace {

constexpr std::array<probe::CheckStatus, 4> kStatuses = {
    probe::CheckStatus::Pass, probe::CheckStatus::Warn, probe::CheckStatus::Fail,
    probe::CheckStatus::Skip};

uint64_t flag(bool value) {
    return value ? 1 : 0;
}

Labels model_label(EncryptionModel model) {
    return {{"model", std::string(model_name(model))}};
}

void add_readiness(MetricText& out, const probe::HostReport& report) {
    out.family("sevd_ready", "gauge", "1 when at least one encrypted model can be launched now.");
    out.sample("sevd_ready", flag(report.ready));
    out.family("sevd_model_available", "gauge",
               "1 when guests of this encryption model can be launched now.");
    for (const auto model : kAllModels)
        out.sample("sevd_model_available", model_label(model), flag(report.launchable(model)));
}

void add_slots(MetricText& out, const probe::HostReport& report) {
    out.family("sevd_asid_slots", "gauge",
               "Usable ASID slots (encrypted guests) of the model's pool, capped by every source.");
    for (const auto model : kAllModels)
        out.sample("sevd_asid_slots", model_label(model), uint64_t{report.slots(model).total});
    out.family(
        "sevd_asid_slots_used", "gauge",
        "ASID slots of the model's pool in use (misc.current, else running libvirt guests).");
    for (const auto model : kAllModels)
        out.sample("sevd_asid_slots_used", model_label(model), uint64_t{report.slots(model).used});
}

// Each check once (the first of an id), with 1 on its current status and 0 on
// the others, so an alert can match a status and a resolved check reads 0.
void add_checks(MetricText& out, const probe::HostReport& report) {
    out.family("sevd_check", "gauge",
               "1 for the current status of each check of the probe (pass, warn, fail, skip).");
    std::set<std::string, std::less<>> seen;
    for (const auto& check : report.checks) {
        if (!seen.insert(check.id).second)
            continue;
        for (const auto status : kStatuses)
            out.sample(
                "sevd_check",
                {{"id", check.id}, {"status", std::string(probe::check_status_name(status))}},
                flag(check.status == status));
    }
}

void add_host(MetricText& out, const ExportValues& values) {
    const auto& report = values.report;
    if (report.mem_total_bytes > 0) {
        out.family("sevd_memory_total_bytes", "gauge", "MemTotal of the host (/proc/meminfo).");
        out.sample("sevd_memory_total_bytes", report.mem_total_bytes);
    }
    out.family("sevd_machine_slice_memory_limit_known", "gauge",
               "1 when the machine.slice memory limit in force could be read.");
    out.sample("sevd_machine_slice_memory_limit_known",
               flag(values.memory_limit_bytes.has_value()));
    if (values.memory_limit_bytes) {
        out.family("sevd_machine_slice_memory_limit_bytes", "gauge",
                   "Memory limit in force on machine.slice (every VM); 0 = no limit.");
        out.sample("sevd_machine_slice_memory_limit_bytes", *values.memory_limit_bytes);
    }
    out.family("sevd_libvirt_available", "gauge",
               "1 when libvirt answered and reported its domain capabilities.");
    out.sample("sevd_libvirt_available", flag(report.libvirt.available));
    if (report.firmware.readable) {
        const auto& fw = report.firmware;
        out.family("sevd_firmware_info", "gauge", "SEV firmware API version, build and state.");
        out.sample(
            "sevd_firmware_info",
            {{"api_version", std::to_string(fw.api_major) + "." + std::to_string(fw.api_minor)},
             {"build", std::to_string(fw.build)},
             {"state", fw.state ? std::string(probe::firmware_state_name(*fw.state))
                                : std::string("unknown")}},
            uint64_t{1});
        out.family("sevd_firmware_guests", "gauge", "Guests the SEV firmware holds keys for.");
        out.sample("sevd_firmware_guests", uint64_t{fw.guest_count});
    }
}

void add_ledger(MetricText& out, const LedgerCounts& ledger) {
    out.family("sevd_guest_locked_memory_bytes", "gauge",
               "Locked memory of encrypted guests (RAM + per-guest overhead), running and "
               "being launched, counted against the machine.slice limit.");
    out.sample("sevd_guest_locked_memory_bytes", ledger.locked_bytes);
    out.family("sevd_guests_running", "gauge", "Encrypted guests running, by model.");
    for (const auto& pool : ledger.pools)
        out.sample("sevd_guests_running", model_label(pool.model), uint64_t{pool.running});
    out.family("sevd_launches_in_flight", "gauge",
               "Launches holding a reservation while libvirt starts them, by model.");
    for (const auto& pool : ledger.pools)
        out.sample("sevd_launches_in_flight", model_label(pool.model), uint64_t{pool.reserved});
}

void add_launches(MetricText& out, const LaunchCounts& launches) {
    out.family("sevd_launches_total", "counter",
               "Launch calls since the daemon started, by result (ok or the refusal).");
    for (size_t i = 0; i < kLaunchResults.size(); ++i)
        out.sample("sevd_launches_total", {{"result", std::string(kLaunchResults[i])}},
                   launches.by_result[i]);
    out.family("sevd_launch_duration_seconds", "histogram",
               "Round trip of successful launches: validation, reservation, libvirt define and "
               "start.");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLaunchDurationBuckets.size(); ++i) {
        cumulative += launches.buckets[i];
        out.sample("sevd_launch_duration_seconds_bucket",
                   {{"le", format_float(kLaunchDurationBuckets[i])}}, cumulative);
    }
    out.sample("sevd_launch_duration_seconds_bucket", {{"le", "+Inf"}}, launches.count);
    out.sample("sevd_launch_duration_seconds_sum", {}, launches.sum_seconds);
    out.sample("sevd_launch_duration_seconds_count", launches.count);
}

double unix_seconds(std::chrono::system_clock::time_point time) {
    return std::chrono::duration<double>(time.time_since_epoch()).count();
}

} // namespace

std::string render_prometheus(const ExportValues& values) {
    MetricText out;
    add_readiness(out, values.report);
    add_slots(out, values.report);
    add_checks(out, values.report);
    add_host(out, values);
    if (values.ledger)
        add_ledger(out, *values.ledger);
    if (values.launches)
        add_launches(out, *values.launches);
    out.family("sevd_report_timestamp_seconds", "gauge",
               "Unix time at which the values above were last probed.");
    out.sample("sevd_report_timestamp_seconds", {}, unix_seconds(values.report_time));
    return out.text();
}

} // namespace sevd::exports
