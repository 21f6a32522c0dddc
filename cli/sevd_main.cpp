// `sevd`: probe, capture, tune and serve (DESIGN.md "Commands").
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevd - AMD SEV host daemon: probe, tune, publish and launch encrypted guests"};
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_probe_command(app, exit_code);
    sevd::cli::add_capture_command(app, exit_code);
    sevd::cli::add_tune_command(app, exit_code);
    sevd::cli::add_serve_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2; // usage errors are exit code 2 everywhere
    }
    return exit_code;
}
