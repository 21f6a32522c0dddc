// load_config: the main file, then its drop-ins in lexical order.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.h"

namespace sevd::config {
namespace {

namespace fs = std::filesystem;

std::string read_whole_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw ConfigReadError("cannot read " + path.string() +
                              ": not a regular file; replace it with an INI file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigReadError("cannot read " + path.string() + ": " + std::strerror(errno) +
                              "; check that it is a readable file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw ConfigReadError("error reading " + path.string());
    return text.str();
}

// DIR/*.conf, sorted by file name so "10-a.conf" applies before "20-b.conf".
std::vector<fs::path> drop_ins(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".conf" && !entry.is_directory())
            files.push_back(entry.path());
    }
    if (ec)
        throw ConfigReadError("cannot list " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

void apply_file(const fs::path& path, Config& config) {
    parse_config_text(read_whole_file(path), path.string(), config);
}

} // namespace

Config load_config(const fs::path& path) {
    Config config;
    std::error_code ec;
    if (fs::exists(path, ec))
        apply_file(path, config);
    else if (ec)
        throw ConfigReadError("cannot access " + path.string() + ": " + ec.message());
    for (const auto& drop_in : drop_ins(fs::path(path.string() + ".d")))
        apply_file(drop_in, config);
    return config;
}

} // namespace sevd::config
