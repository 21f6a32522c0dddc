// What the fleet exports (Prometheus textfile, NFD feature files) are rendered
// from: plain values the daemon gathers at one moment, or that `sevd probe`
// has (the report only). A value that is not known is absent, never zero.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "export/launch_stats.h"
#include "probe/encryption_model.h"
#include "probe/host_report.h"

namespace sevd::exports {

// The admission ledger of one ASID pool.
struct PoolCounts {
    EncryptionModel model = EncryptionModel::Sev;
    uint32_t running = 0;  // encrypted guests libvirt runs in this pool
    uint32_t reserved = 0; // launches in flight
};

struct LedgerCounts {
    std::vector<PoolCounts> pools;
    uint64_t locked_bytes = 0; // guest RAM + overhead, running and reserved
};

struct ExportValues {
    probe::HostReport report;
    std::chrono::system_clock::time_point report_time; // when the report was built
    std::optional<LedgerCounts> ledger;                // nullopt: no daemon
    // machine.slice memory limit in force as last read: 0 = none, nullopt = unknown.
    std::optional<uint64_t> memory_limit_bytes;
    std::optional<LaunchCounts> launches; // nullopt: no daemon
};

} // namespace sevd::exports
