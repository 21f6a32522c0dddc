// The Prometheus textfile (DESIGN.md "Fleet exports"): sevd's view of this
// host as metrics for node_exporter's textfile collector, the same text the
// daemon writes and `sevd probe --prometheus` prints. Metrics whose value is
// not known (the ledger and launches without a daemon, an unreadable limit)
// are left out rather than reported as 0. Pure.
#pragma once

#include <string>

#include "export/export_values.h"

namespace sevd::exports {

std::string render_prometheus(const ExportValues& values);

} // namespace sevd::exports
