#include "export/fleet_exporter.h"

#include "export/atomic_file.h"
#include "export/nfd_features.h"
#include "export/prometheus_metrics.h"

namespace sevd::exports {

FleetExporter::Outcome FleetExporter::write(const ExportValues& values,
                                            std::chrono::system_clock::time_point now) {
    Outcome outcome;
    if (!paths_.prometheus_textfile.empty())
        replace(paths_.prometheus_textfile, render_prometheus(values), outcome);
    if (!paths_.nfd_features_dir.empty()) {
        const auto& dir = paths_.nfd_features_dir;
        replace(dir / kNfdLabelsFile, render_nfd_labels(values.report, now), outcome);
        replace(dir / kNfdCapacityFile, render_nfd_capacity(values.report, now), outcome);
    }
    return outcome;
}

void FleetExporter::replace(const std::filesystem::path& path, const std::string& content,
                            Outcome& outcome) {
    try {
        replace_file(path, content);
    } catch (const ExportError& e) {
        auto& last = failing_[path];
        if (last != e.what())
            outcome.failed.push_back(e.what());
        last = e.what();
        return;
    }
    if (failing_.erase(path) > 0)
        outcome.recovered.push_back(path.string());
}

} // namespace sevd::exports
