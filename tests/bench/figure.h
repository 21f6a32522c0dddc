// One line per measured figure, in the form scripts/bench.sh gathers into the
// benchmark table:
//   [figure] NAME | VALUE | REFERENCE | RATIO | TARGET | met|MISSED
// Benchmarks print figures; they never fail on time.
#pragma once

#include <cstdio>
#include <string>

namespace sevd::bench {

struct Figure {
    std::string name;
    std::string value;
    std::string reference = "-"; // what the value is compared with, measured in the same run
    std::string ratio = "-";
    std::string target;
    bool met = false;
};

inline void print_figure(const Figure& f) {
    std::printf("[figure] %s | %s | %s | %s | %s | %s\n", f.name.c_str(), f.value.c_str(),
                f.reference.c_str(), f.ratio.c_str(), f.target.c_str(), f.met ? "met" : "MISSED");
    std::fflush(stdout);
}

inline std::string format(const char* fmt, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, fmt, value);
    return buffer;
}

} // namespace sevd::bench
