// `sevd-daemon`: the daemon, exec'd by `sevd serve` so that `sevd probe` never
// loads its libraries (sd-bus, libudev). libvirt is loaded only in its
// sevd-libvirt helper.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    // One malloc arena for every thread, set before any starts: the workers
    // and the event lane allocate little and briefly, and an arena of their
    // own would keep its freed pages resident at no gain in throughput.
    mallopt(M_ARENA_MAX, 1);
    CLI::App app{"sevd-daemon - run by `sevd serve`"};
    app.name("sevd");
    app.require_subcommand(1);
    int exit_code = 0;
    sevd::cli::add_serve_command(app, exit_code);
    return sevd::cli::run_app(app, argc, argv, exit_code);
}
