// The samples of a Prometheus text exposition, "name{labels}" -> value text,
// for tests that compare a rendered value with the report. Label sets are
// kept as written (sevd writes them in a fixed order). Validation of the
// format itself is promtool's job (run_promtool).
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace sevd::test::prometheus {

struct Exposition {
    std::map<std::string, std::string> samples; // "sevd_asid_slots{model=\"amd-sev\"}" -> "410"
    std::map<std::string, std::string> types;   // family -> gauge/counter/histogram
    std::vector<std::string> duplicates;        // series written twice
};

inline Exposition parse(const std::string& text) {
    Exposition out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            out.types[name] = type;
            continue;
        }
        if (line.empty() || line[0] == '#')
            continue;
        const auto space = line.rfind(' ');
        const std::string series = line.substr(0, space);
        if (!out.samples.emplace(series, line.substr(space + 1)).second)
            out.duplicates.push_back(series);
    }
    return out;
}

// `promtool check metrics` on `text` (its stdin): exit code and what it said.
inline CommandResult promtool_check_metrics(const std::string& text,
                                            const std::filesystem::path& scratch) {
    const auto file = scratch / "metrics.prom";
    {
        std::ofstream out(file);
        out << text;
    }
    return run_command({"/bin/sh", "-c", "promtool check metrics < \"$0\"", file.string()});
}

} // namespace sevd::test::prometheus
