#include "dbus/report_from_json.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sevd::dbus {
namespace {

probe::CheckStatus status_from_name(const std::string& name) {
    if (name == "pass")
        return probe::CheckStatus::Pass;
    if (name == "warn")
        return probe::CheckStatus::Warn;
    if (name == "fail")
        return probe::CheckStatus::Fail;
    return probe::CheckStatus::Skip;
}

probe::SlotCount slots_from(const nlohmann::json& slots) {
    return {slots.at("total").get<uint32_t>(), slots.at("used").get<uint32_t>()};
}

} // namespace

probe::HostReport report_from_json(const std::string& describe_json) {
    try {
        const auto json = nlohmann::json::parse(describe_json);
        probe::HostReport r;
        r.ready = json.at("ready").get<bool>();
        for (const auto& name : json.at("models"))
            if (auto model = model_from_name(name.get<std::string>()))
                r.models.push_back(*model);
        r.sev_slots = slots_from(json.at("slots").at("amd-sev"));
        r.sev_es_slots = slots_from(json.at("slots").at("amd-sev-es"));
        if (json.at("slots").contains("amd-sev-snp")) // daemons before SEV-SNP lack it
            r.sev_snp_slots = slots_from(json.at("slots").at("amd-sev-snp"));
        for (const auto& check : json.at("checks"))
            r.checks.push_back({check.at("id").get<std::string>(),
                                status_from_name(check.at("status").get<std::string>()),
                                check.at("message").get<std::string>(),
                                check.value("hint", std::string()),
                                {}});
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("the daemon's Describe() JSON is not a report: ") +
                                 e.what());
    }
}

} // namespace sevd::dbus
