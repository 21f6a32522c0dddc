#include "launcher/model_support.h"

#include <string>

#include "common/text.h"

namespace sevd::launcher {
namespace {

constexpr size_t kMaxCheckText = 1024; // probe text may quote libvirt errors

} // namespace

// The verdict is the probe's (HostReport::closing_check): its check says the
// cause and the fix, and names itself for `sevdctl status`.
ModelSupport model_support(const probe::HostReport& report, EncryptionModel model) {
    if (report.launchable(model))
        return {true, {}};
    const auto prefix = std::string(model_name(model)) + " cannot be launched on this host: ";
    const auto* check = report.closing_check(model);
    if (check == nullptr)
        return {false, prefix + "the host probe does not list it as launchable"};
    auto why = check->message;
    if (!check->hint.empty())
        why += "; " + check->hint;
    // Only libvirt stands in the way: start it and retry.
    const bool libvirt_down = check->id.starts_with("libvirt.") && !report.libvirt.available;
    return {false, prefix + printable(why, kMaxCheckText) + " (check " + check->id + ")",
            libvirt_down ? ErrorCode::Libvirt : ErrorCode::Unsupported};
}

} // namespace sevd::launcher
