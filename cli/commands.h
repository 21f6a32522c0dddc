// The subcommands of `sevd`. Each adds itself to the CLI11 app; its callback
// stores the process exit code in `exit_code` (DESIGN.md: 0 ok, 1 "no"/refused,
// 2 usage or I/O error).
//
// `sevd` itself links only the probe and the config reader: `sevd probe` runs
// on every host check and must start fast, so it must not load libvirt, sd-bus
// and libcgroup. `tune` lives in `sevd-tune` (config + cgroups; libvirt loaded
// only when a guest may be running) and `serve` in `sevd-daemon` (sd-bus,
// libudev; never libvirt); `sevd` execs them with the same arguments
// (add_forwarded_command). The daemon starts `sevd-libvirt`, which holds its
// libvirt connections.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace sevd::cli {

void add_probe_command(CLI::App& app, int& exit_code);   // in `sevd`
void add_capture_command(CLI::App& app, int& exit_code); // in `sevd`
void add_tune_command(CLI::App& app, int& exit_code);    // in `sevd-tune`
void add_serve_command(CLI::App& app, int& exit_code);   // in `sevd-daemon`

// Adds subcommand `name` to `sevd` whose callback replaces the process with
// `binary name ARGS...` (binary next to sevd, else in libexec/sevd); on
// failure to exec it sets exit_code 2.
void add_forwarded_command(CLI::App& app, const std::string& name, const std::string& binary,
                           const std::string& description, int& exit_code);

// The helper executable `name`: next to the running program (build tree, or a
// package that ships them in one folder), else in the installed libexec/sevd.
std::string helper_binary_path(const std::string& name);

// Runs `app` over argv with sevd's exit-code convention (usage errors → 2).
int run_app(CLI::App& app, int argc, char** argv, int& exit_code);

} // namespace sevd::cli
