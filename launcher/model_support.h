// Why the host can or cannot launch each encryption model right now, in
// words an operator can act on. Pure: reads a HostReport only.
#pragma once

#include <string>

#include "launcher/launch_error.h"
#include "probe/encryption_model.h"
#include "probe/host_report.h"

namespace sevd::launcher {

struct ModelSupport {
    bool launchable = false;
    std::string reason; // empty when launchable; else the cause and the fix
    // The refusal's name: Libvirt when libvirt could not be reached (start it,
    // then retry), Unsupported when the host itself cannot run the model.
    ErrorCode refusal = ErrorCode::Unsupported;
};

// Launchable iff the report lists the model in `models`; the reason is the
// probe's check that closes it (cause, fix and check id).
ModelSupport model_support(const probe::HostReport& report, EncryptionModel model);

} // namespace sevd::launcher
