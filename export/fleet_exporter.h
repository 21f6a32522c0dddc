// Writes the configured fleet exports ([export] in sevd.conf) from one set of
// values: the Prometheus textfile and the two NFD feature files, each replaced
// atomically. Remembers each file's last failure so the caller logs a problem
// once when it starts (or changes) and once when it clears, not on every
// rewrite. Not thread-safe: one write at a time.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "export/export_values.h"

namespace sevd::exports {

// How often the exports are rewritten when nothing changes, so the NFD
// expiry (kNfdExpiry) and node_exporter's file mtime stay fresh.
inline constexpr std::chrono::minutes kExportInterval{5};

struct ExportPaths {
    std::filesystem::path prometheus_textfile; // empty = off
    std::filesystem::path nfd_features_dir;    // empty = off
    bool any() const { return !prometheus_textfile.empty() || !nfd_features_dir.empty(); }
    bool operator==(const ExportPaths&) const = default;
};

class FleetExporter {
public:
    struct Outcome {
        std::vector<std::string> failed;    // new or changed failures, each naming its file
        std::vector<std::string> recovered; // files written again after a failure
    };

    explicit FleetExporter(ExportPaths paths) : paths_(std::move(paths)) {}
    const ExportPaths& paths() const { return paths_; }

    // Renders and replaces every configured file; `now` dates the NFD expiry.
    Outcome write(const ExportValues& values, std::chrono::system_clock::time_point now);

private:
    void replace(const std::filesystem::path& path, const std::string& content, Outcome& outcome);

    ExportPaths paths_;
    std::map<std::filesystem::path, std::string> failing_; // file -> its last error
};

} // namespace sevd::exports
