// Bench-only front end: the real probe and capture commands
// (cli/probe_command.cpp, cli/capture_command.cpp) linked without the
// daemon's libraries (sdbus-c++, libsystemd, libudev, libcgroup, libvirt via
// launcher/). It measures what `sevd probe` costs as a process once `sevd`
// stops loading the daemon's libraries for probe/capture (see the report of
// the probe issue); it is not installed.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevd (probe and capture only; benchmark build)"};
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_probe_command(app, exit_code);
    sevd::cli::add_capture_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    return exit_code;
}
