#include "probe/report_text.h"

#include <algorithm>
#include <cctype>

#include "probe/report_json.h"

namespace sevd::probe {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

std::string slots_text(const SlotCount& slots) {
    return std::to_string(slots.used) + "/" + std::to_string(slots.total) + " used";
}

} // namespace

std::string report_to_text(const HostReport& report) {
    std::string out;
    for (const auto& check : report.checks) {
        out +=
            upper(check_status_name(check.status)) + "  " + check.id + ": " + check.message + "\n";
        if (!check.hint.empty() &&
            (check.status == CheckStatus::Warn || check.status == CheckStatus::Fail))
            out += "      fix: " + check.hint + "\n";
    }
    std::string models;
    for (const auto model : report.models)
        models += (models.empty() ? "" : ", ") + std::string(model_name(model));
    out += "\nready: " + std::string(report.ready ? "yes" : "no");
    out += "\nmodels: " + (models.empty() ? std::string("none") : models);
    out += "\nslots:";
    for (const auto model : kAllModels)
        out += std::string(model == EncryptionModel::Sev ? " " : ", ") +
               std::string(model_name(model)) + " " + slots_text(report.slots(model));
    out += "\n";
    return out;
}

} // namespace sevd::probe
