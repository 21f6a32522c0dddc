// `sevd tune [--dry-run] [--json] [--config FILE] [--root DIR]`: compute the
// machine.slice memory limit (MemTotal - reserved_host_memory_mb), apply it
// unless --dry-run, and report what is in force. --root reads a snapshot's
// MemTotal and is always a dry run: a snapshot is not this host. Exit 0 applied or already in
// force, 1 refused, 2 usage or I/O error.
#include <iostream>
#include <memory>

#include "cgroups/memory_limit_tuner.h"
#include "cgroups/running_sev_guests.h"
#include "cgroups/tune_error.h"
#include "cgroups/tune_report.h"
#include "cli/commands.h"
#include "config/config.h"
#include "libvirt_helper/libvirt_readings.h"

namespace sevd::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitIoError = 2;

struct TuneOptions {
    bool dry_run = false;
    bool json = false;
    std::string config_path = config::kDefaultConfigPath;
    std::string root = "/";
};

int print_failure(const TuneOptions& options, cgroups::TuneAction action,
                  const std::string& message, const std::string& hint) {
    if (options.json)
        std::cout << cgroups::tune_failure_json(action, message, hint).dump(2) << "\n";
    else
        std::cerr << "FAIL " << cgroups::to_string(action) << ": " << message
                  << (hint.empty() ? "" : "\n  fix: " + hint) << "\n";
    return action == cgroups::TuneAction::Refused ? kExitRefused : kExitIoError;
}

void print_report(const TuneOptions& options, const cgroups::TuneReport& report) {
    if (options.json)
        std::cout << cgroups::tune_report_json(report).dump(2) << "\n";
    else
        std::cout << cgroups::tune_report_text(report);
}

// The SEV guests the new limit must leave room for. libvirt is asked only
// when the slice may hold one (see cgroups/slice_occupancy.h: at boot it is
// empty, and asking would wait on libvirt's daemons, ordered after us).
cgroups::RunningSevGuests running_guests(const cgroups::MemoryLimitTuner& tuner,
                                         const config::Config& config) {
    if (tuner.slice_occupancy() == cgroups::SliceOccupancy::Empty)
        return cgroups::no_guests_in_empty_slice();
    return libvirt::query_running_sev_guests(config.libvirt_uri, config.guest_overhead_mb);
}

int run_tune(const TuneOptions& options) {
    config::Config config;
    try {
        config = config::load_config(options.config_path);
    } catch (const config::ConfigReadError& e) {
        return print_failure(options, cgroups::TuneAction::Failed, e.what(),
                             "fix the file's permissions or pass --config FILE");
    } catch (const config::ConfigError& e) {
        return print_failure(options, cgroups::TuneAction::Refused,
                             std::string(e.what()) + "; nothing was written",
                             "correct the value in the configuration");
    }
    cgroups::TuneReport report;
    report.dry_run = options.dry_run || options.root != "/";
    try {
        cgroups::TunerOptions tuner_options;
        tuner_options.root = options.root;
        cgroups::MemoryLimitTuner tuner(tuner_options);
        report.guests = running_guests(tuner, config);
        report.result = tuner.apply(config, report.dry_run, report.guests.locked_bytes);
    } catch (const cgroups::TuneError& e) {
        const bool has_figures = e.result().mem_total_bytes != 0;
        if (!has_figures)
            return print_failure(options,
                                 e.kind() == cgroups::TuneError::Kind::Io
                                     ? cgroups::TuneAction::Failed
                                     : cgroups::TuneAction::Refused,
                                 e.what(), e.hint());
        report.result = e.result();
        print_report(options, report);
        return e.exit_code();
    }
    print_report(options, report);
    return kExitOk;
}

} // namespace

void add_tune_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<TuneOptions>();
    auto* cmd = app.add_subcommand(
        "tune", "Compute and apply the machine.slice memory limit (MemTotal - host reserve)");
    cmd->add_flag("--dry-run", options->dry_run, "Compute and report; write nothing");
    cmd->add_flag("--json", options->json, "Print JSON only");
    cmd->add_option("--config", options->config_path, "Configuration file")->capture_default_str();
    cmd->add_option("--root", options->root,
                    "Compute for a snapshot directory (sevd capture); always a dry run")
        ->capture_default_str();
    cmd->callback([options, &exit_code] { exit_code = run_tune(*options); });
}

} // namespace sevd::cli
