// The admission ledger's usage as the exports show it, model by model.
#pragma once

#include "export/export_values.h"
#include "launcher/admission_ledger.h"

namespace sevd::exports {

inline LedgerCounts ledger_counts(const launcher::AdmissionLedger::Usage& usage) {
    LedgerCounts counts;
    counts.locked_bytes = usage.locked_bytes;
    for (const auto model : kAllModels) {
        const auto& pool = usage.pool(model);
        counts.pools.push_back({model, pool.running, pool.reserved});
    }
    return counts;
}

} // namespace sevd::exports
