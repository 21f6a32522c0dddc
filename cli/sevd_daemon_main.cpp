// `sevd-daemon`: the commands that change the host or serve the bus, exec'd by
// `sevd serve` / `sevd tune` so that `sevd probe` never loads their libraries.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevd-daemon - run by `sevd serve` and `sevd tune`"};
    app.name("sevd");
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_tune_command(app, exit_code);
    sevd::cli::add_serve_command(app, exit_code);
    return sevd::cli::run_app(app, argc, argv, exit_code);
}
