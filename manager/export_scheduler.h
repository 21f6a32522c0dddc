// When the fleet exports are rewritten: shortly after the daemon says its
// state changed (a burst of changes becomes one write), and at least every
// kExportInterval. The values are gathered on the loop thread; rendering and
// the fsync'ed writes run on a worker, one write at a time, so the bus never
// waits for a disk. Failures are logged once when they start and when they clear.
#pragma once

#include <functional>
#include <memory>

#include "common/worker_pool.h"
#include "export/fleet_exporter.h"
#include "manager/coalesced_task.h"
#include "manager/main_loop.h"

namespace sevd::manager {

class ExportScheduler {
public:
    using Gather = std::function<exports::ExportValues()>;

    // Writes once soon, then as described above. Loop thread only.
    ExportScheduler(MainLoop& loop, WorkerPool& workers, exports::ExportPaths paths, Gather gather);
    ExportScheduler(const ExportScheduler&) = delete;
    ExportScheduler& operator=(const ExportScheduler&) = delete;

    // Something the exports show changed: rewrite soon.
    void changed();
    // New [export] keys after a reload; written from the next write on.
    void set_paths(exports::ExportPaths paths);

private:
    void write();
    void written(const exports::FleetExporter::Outcome& outcome);
    void refresh();

    MainLoop& loop_;
    WorkerPool& workers_;
    Gather gather_;
    // Shared with the write under way, which keeps the one it started with.
    std::shared_ptr<exports::FleetExporter> exporter_;
    CoalescedTask write_soon_; // a burst of changes: one write
    bool writing_ = false;     // a worker is writing
    bool dirty_ = false;       // changed while writing: write again when done
};

} // namespace sevd::manager
