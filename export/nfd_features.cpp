#include "export/nfd_features.h"

#include <ctime>

namespace sevd::exports {
namespace {

std::string expiry_line(std::chrono::system_clock::time_point now) {
    return "# +expiry-time=" + rfc3339_utc(now + kNfdExpiry) + "\n";
}

std::string feature_name(std::string_view name) {
    return std::string(kNfdNamespace) + "/" + std::string(name);
}

} // namespace

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    const size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(buffer, n);
}

std::string render_nfd_labels(const probe::HostReport& report,
                              std::chrono::system_clock::time_point now) {
    std::string text = "# Written by sevd (AMD SEV host daemon); rewritten on every change.\n";
    text += expiry_line(now);
    text += feature_name("ready") + (report.ready ? "=true\n" : "=false\n");
    for (const auto model : kAllModels)
        if (report.launchable(model))
            text += feature_name(model_name(model)) + "=true\n";
    return text;
}

std::string render_nfd_capacity(const probe::HostReport& report,
                                std::chrono::system_clock::time_point now) {
    std::string text = "# Written by sevd: ASID slots per model, features for NodeFeatureRules.\n";
    text += expiry_line(now);
    for (const auto model : kAllModels) {
        const auto& slots = report.slots(model);
        // A model that cannot launch now has no free slot, whatever the pool holds.
        const uint32_t free =
            report.launchable(model) && slots.used < slots.total ? slots.total - slots.used : 0;
        const std::string name = feature_name(model_name(model));
        text += "# +no-label\n" + name + ".slots=" + std::to_string(slots.total) + "\n";
        text += "# +no-label\n" + name + ".slots-free=" + std::to_string(free) + "\n";
    }
    return text;
}

} // namespace sevd::exports
