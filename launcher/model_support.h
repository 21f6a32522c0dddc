// Why the host can or cannot launch each encryption model right now, in
// words an operator can act on. Pure: reads a HostReport only.
#pragma once

#include <string>

#include "probe/encryption_model.h"
#include "probe/host_report.h"

namespace sevd::launcher {

struct ModelSupport {
    bool launchable = false;
    std::string reason; // empty when launchable; else the cause and the fix
};

// Launchable iff the report lists the model in `models`; the reason names
// the first missing prerequisite (CPU, kernel, ASIDs, libvirt, slots).
ModelSupport model_support(const probe::HostReport& report, EncryptionModel model);

} // namespace sevd::launcher
