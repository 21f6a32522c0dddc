// A reader of Node Feature Discovery's local source (features.d), written from
// NFD's customization guide ("Local feature source", "Input format") so tests
// can check sevd's files the way nfd-worker reads them:
// - files whose name starts with '.' are ignored; files over 64 KiB are ignored;
// - lines are trimmed; empty lines skipped; lines starting with '#' are
//   comments, except directives "# +expiry-time=<RFC3339>" (applies to the
//   feature lines after it, until the next one), "# +no-label" and
//   "# +no-feature" (each applies to the next feature line only); any other
//   "# +" directive is an error NFD logs;
// - a feature line is "<key>[=<value>]", value "true" when absent; a feature
//   whose expiry time lies before the time of reading is dropped;
// - features without no-feature become local.feature elements (what
//   NodeFeatureRules match and "@local.feature.<key>" reads), those without
//   no-label become node labels (local.label).
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace sevd::test::nfd {

struct LocalSource {
    std::map<std::string, std::string> features; // local.feature
    std::map<std::string, std::string> labels;   // local.label (node labels)
    std::vector<std::string> errors;             // what nfd-worker would log
    std::vector<std::chrono::system_clock::time_point> expiry_times;
};

inline constexpr size_t kMaxFileBytes = 65536;

// "2026-12-03T19:07:00Z" (UTC designator only: what sevd writes; NFD accepts
// any RFC 3339 offset, which this reader reports as an error instead).
inline std::optional<std::chrono::system_clock::time_point>
parse_rfc3339_utc(const std::string& s) {
    std::tm tm{};
    std::istringstream in(s);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    if (in.fail() || in.peek() != std::char_traits<char>::eof())
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

inline std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return "";
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

inline void read_text(const std::string& text, std::chrono::system_clock::time_point now,
                      LocalSource& out) {
    auto expiry = now; // no directive: valid now (NFD compares "before now")
    bool no_label = false, no_feature = false;
    std::istringstream lines(text);
    std::string raw;
    while (std::getline(lines, raw)) {
        const std::string line = trim(raw);
        if (line.empty())
            continue;
        if (line[0] == '#') {
            if (line.rfind("# +", 0) != 0)
                continue;
            const std::string directive = line.substr(3);
            const auto eq = directive.find('=');
            const std::string key = directive.substr(0, eq);
            if (key == "expiry-time") {
                const auto time = eq == std::string::npos
                                      ? std::nullopt
                                      : parse_rfc3339_utc(trim(directive.substr(eq + 1)));
                if (!time)
                    out.errors.push_back("bad expiry-time: " + line);
                else {
                    expiry = *time;
                    out.expiry_times.push_back(*time);
                }
            } else if (key == "no-label")
                no_label = true;
            else if (key == "no-feature")
                no_feature = true;
            else
                out.errors.push_back("unknown directive: " + line);
            continue;
        }
        if (expiry < now)
            continue;
        const auto eq = line.find('=');
        const std::string key = line.substr(0, eq);
        const std::string value = eq == std::string::npos ? "true" : line.substr(eq + 1);
        if (!no_feature)
            out.features[key] = value;
        if (!no_label)
            out.labels[key] = value;
        no_label = no_feature = false;
    }
}

// Reads every feature file of `dir` as nfd-worker would at `now`.
inline LocalSource read_features_dir(const std::filesystem::path& dir,
                                     std::chrono::system_clock::time_point now) {
    LocalSource out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || !entry.is_regular_file())
            continue;
        if (entry.file_size() > kMaxFileBytes) {
            out.errors.push_back(name + ": over 64 KiB, ignored");
            continue;
        }
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        read_text(text.str(), now, out);
    }
    return out;
}

} // namespace sevd::test::nfd
