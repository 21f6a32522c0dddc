// `sevd`: probe and capture here; tune forwarded to `sevd-tune`, serve to
// `sevd-daemon` (DESIGN.md "Commands").
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevd - AMD SEV host daemon: probe, tune, publish and launch encrypted guests"};
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_probe_command(app, exit_code);
    sevd::cli::add_capture_command(app, exit_code);
    sevd::cli::add_forwarded_command(app, "tune", "sevd-tune",
                                     "Compute and apply the machine.slice memory limit", exit_code);
    sevd::cli::add_forwarded_command(
        app, "serve", "sevd-daemon",
        "Run the daemon: publish org.sevd.Host1, Launcher1, Tuning1 on D-Bus", exit_code);
    return sevd::cli::run_app(app, argc, argv, exit_code);
}
