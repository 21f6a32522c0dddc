// PLACEHOLDER until its issue lands: replaced by the real command.
#include <iostream>

#include "cli/commands.h"

namespace sevd::cli {

void add_capture_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("capture", "not built yet");
    cmd->allow_extras();
    cmd->callback([&exit_code] {
        std::cerr << "sevd capture: not built yet\n";
        exit_code = 2;
    });
}

} // namespace sevd::cli
