// The subcommands of `sevd`. Each adds itself to the CLI11 app; its callback
// stores the process exit code in `exit_code` (DESIGN.md: 0 ok, 1 "no"/refused,
// 2 usage or I/O error).
#pragma once

#include <CLI/CLI.hpp>

namespace sevd::cli {

void add_probe_command(CLI::App& app, int& exit_code);   // probe/  (issue: probe)
void add_capture_command(CLI::App& app, int& exit_code); // probe/  (issue: probe)
void add_tune_command(CLI::App& app, int& exit_code);    // cgroups/ (issue: tune)
void add_serve_command(CLI::App& app, int& exit_code);   // dbus/   (issue: publish)

} // namespace sevd::cli
