#include "cli/commands.h"

namespace sevd::cli {

int run_app(CLI::App& app, int argc, char** argv, int& exit_code) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2; // usage errors are exit code 2 everywhere
    }
    return exit_code;
}

} // namespace sevd::cli
