// `sevd-tune`: exec'd by `sevd tune`. It links the configuration and cgroups
// libraries only; libvirt is loaded (dlopen) only when machine.slice may hold a
// running guest, so the boot-time oneshot starts in a few milliseconds.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"sevd-tune - run by `sevd tune`"};
    app.name("sevd");
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_tune_command(app, exit_code);
    return sevd::cli::run_app(app, argc, argv, exit_code);
}
