#include "manager/export_scheduler.h"

#include <spdlog/spdlog.h>

namespace sevd::manager {
namespace {

// A launch changes the report, the ledger and the guest list within a few
// milliseconds of each other: one write covers them all.
constexpr std::chrono::milliseconds kCoalesceDelay{100};

} // namespace

ExportScheduler::ExportScheduler(MainLoop& loop, WorkerPool& workers, exports::ExportPaths paths,
                                 Gather gather)
    : loop_(loop), workers_(workers), gather_(std::move(gather)),
      exporter_(std::make_shared<exports::FleetExporter>(std::move(paths))),
      write_soon_(loop, kCoalesceDelay, [this] { write(); }) {
    changed();
    loop_.run_after(exports::kExportInterval, [this] { refresh(); });
}

void ExportScheduler::set_paths(exports::ExportPaths paths) {
    if (paths == exporter_->paths())
        return;
    exporter_ = std::make_shared<exports::FleetExporter>(std::move(paths));
    changed();
}

void ExportScheduler::changed() {
    if (writing_)
        dirty_ = true;
    else
        write_soon_.request();
}

void ExportScheduler::refresh() {
    changed();
    loop_.run_after(exports::kExportInterval, [this] { refresh(); });
}

void ExportScheduler::write() {
    if (!exporter_->paths().any())
        return;
    writing_ = true;
    workers_.submit([this, exporter = exporter_, values = gather_()] {
        const auto outcome = exporter->write(values, std::chrono::system_clock::now());
        loop_.post([this, outcome] { written(outcome); });
    });
}

void ExportScheduler::written(const exports::FleetExporter::Outcome& outcome) {
    for (const auto& failure : outcome.failed)
        spdlog::warn("export: {}; retrying on the next change, at the latest in {} min", failure,
                     exports::kExportInterval.count());
    for (const auto& path : outcome.recovered)
        spdlog::info("export: {} written again", path);
    writing_ = false;
    if (std::exchange(dirty_, false))
        changed();
}

} // namespace sevd::manager
