// `sevd probe [--json | --prometheus] [--root DIR] [--libvirt-uri URI | --no-libvirt]
// [--config FILE]`: exit 0 when at least one encrypted model can be launched,
// 1 when none, 2 on usage or I/O error (with --json, errors are
// {"error": "..."} on stdout). Reads the daemon's configuration (libvirt URI,
// machine type, slot cap), so its JSON equals the daemon's Describe().
// --prometheus prints the daemon's textfile metrics once (those the daemon
// alone knows, its ledger, launches and the limit it reads, are left out).
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "config/config.h"
#include "export/prometheus_metrics.h"
#include "libvirt_helper/libvirt_readings.h"
#include "probe/prober.h"
#include "probe/report_json.h"
#include "probe/report_text.h"

namespace sevd::cli {
namespace {

constexpr int kExitReady = 0;
constexpr int kExitNotReady = 1;
constexpr int kExitError = 2;

struct ProbeArgs {
    bool json = false;
    bool prometheus = false;
    std::string root = "/";
    std::string libvirt_uri;
    bool libvirt_uri_given = false;
    bool no_libvirt = false;
    std::string config_path = config::kDefaultConfigPath;
};

int report_error(const ProbeArgs& args, const std::string& message) {
    if (args.json)
        std::cout << nlohmann::json{{"error", message}}.dump(2) << "\n";
    else
        std::cerr << "sevd probe: " << message << "\n";
    return kExitError;
}

std::string prometheus_text(const probe::HostReport& report) {
    exports::ExportValues values;
    values.report = report;
    values.report_time = std::chrono::system_clock::now();
    return exports::render_prometheus(values);
}

int run_probe(const ProbeArgs& args) {
    if (args.no_libvirt && args.libvirt_uri_given)
        return report_error(args, "--libvirt-uri and --no-libvirt exclude each other");
    if (args.json && args.prometheus)
        return report_error(args, "--json and --prometheus exclude each other");
    config::Config config;
    try {
        config = config::load_config(args.config_path);
    } catch (const config::ConfigError& e) {
        return report_error(args, e.what());
    }
    probe::ProbeOptions options;
    options.root = args.root;
    options.libvirt =
        probe::choose_libvirt_source(options.root, args.no_libvirt, args.libvirt_uri_given);
    options.libvirt_uri = args.libvirt_uri_given ? args.libvirt_uri : config.libvirt_uri;
    options.machine_type = config.machine_type;
    options.max_encrypted_guests = config.max_encrypted_guests;
    const auto host = probe::read_host_facts(options.root);
    if (!host.root_error.empty())
        return report_error(args, "--root " + host.root_error);
    const auto report =
        probe::build_report(host, libvirt::read_libvirt_for(options), options.max_encrypted_guests);
    if (args.json)
        std::cout << probe::report_to_json(report).dump(2) << "\n";
    else if (args.prometheus)
        std::cout << prometheus_text(report);
    else
        std::cout << probe::report_to_text(report);
    return report.ready ? kExitReady : kExitNotReady;
}

} // namespace

void add_probe_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ProbeArgs>();
    auto* cmd = app.add_subcommand("probe", "Report what this host can launch (SEV, SEV-ES), "
                                            "how many guests fit, and what to fix");
    cmd->add_flag("--json", args->json, "print the report as JSON only");
    cmd->add_flag("--prometheus", args->prometheus,
                  "print the report as Prometheus metrics (node_exporter textfile format)");
    cmd->add_option("--root", args->root,
                    "read a snapshot directory (from `sevd capture`) instead of this host");
    cmd->add_option("--libvirt-uri", args->libvirt_uri,
                    "libvirt connection URI (default: the config's [libvirt] uri; with --root, "
                    "libvirt is read from the snapshot unless this is given)")
        ->each([args](const std::string&) { args->libvirt_uri_given = true; });
    cmd->add_flag("--no-libvirt", args->no_libvirt, "do not consult libvirt");
    cmd->add_option("--config", args->config_path,
                    "the daemon's configuration (slot cap, libvirt URI, machine type)")
        ->default_str(config::kDefaultConfigPath);
    cmd->callback([args, &exit_code] {
        try {
            exit_code = run_probe(*args);
        } catch (const std::exception& e) { // e.g. out of memory: still exit 2, never abort
            exit_code = report_error(*args, e.what());
        }
    });
}

} // namespace sevd::cli
