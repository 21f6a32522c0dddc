#include "probe/report_json.h"

namespace sevd::probe {
namespace {

using nlohmann::json;

json state_json(const std::optional<FirmwareState>& state) {
    return state ? json(firmware_state_name(*state)) : json(nullptr);
}

json cpu_json(const CpuReport& cpu) {
    return {{"vendor", cpu.vendor},
            {"brand", cpu.brand},
            {"hypervisor", cpu.hypervisor},
            {"max_extended_leaf", cpu.max_extended_leaf},
            {"leaf_present", cpu.leaf_present},
            {"sme", cpu.sme},
            {"sev", cpu.sev},
            {"page_flush_msr", cpu.page_flush_msr},
            {"sev_es", cpu.sev_es},
            {"sev_snp", cpu.sev_snp},
            {"vmpl", cpu.vmpl},
            {"cbitpos", cpu.cbitpos},
            {"reduced_phys_bits", cpu.reduced_phys_bits},
            {"vmpls", cpu.vmpls},
            {"max_asid", cpu.max_asid},
            {"min_sev_asid", cpu.min_sev_asid}};
}

json firmware_json(const FirmwareReport& fw) {
    json out = {{"present", fw.present},
                {"readable", fw.readable},
                {"api_major", fw.api_major},
                {"api_minor", fw.api_minor},
                {"build", fw.build},
                {"state", state_json(fw.state)},
                {"owner", fw.owner_external ? "external" : "self"},
                {"es_initialized", fw.es_initialized},
                {"guest_count", fw.guest_count},
                {"snp", nullptr}};
    if (fw.snp)
        out["snp"] = {{"api_major", fw.snp->api_major},
                      {"api_minor", fw.snp->api_minor},
                      {"build", fw.snp->build},
                      {"state", state_json(fw.snp->state)},
                      {"rmp_initialized", fw.snp->rmp_initialized},
                      {"guest_count", fw.snp->guest_count},
                      {"current_tcb", fw.snp->current_tcb},
                      {"reported_tcb", fw.snp->reported_tcb}};
    return out;
}

// Running encrypted domains sevd did not launch: counted, never stopped by sevd.
json foreign_json(const std::vector<ForeignDomain>& guests) {
    json list = json::array();
    for (const auto& guest : guests)
        list.push_back({{"name", guest.name}, {"model", model_name(guest.pool)}});
    return list;
}

json libvirt_json(const LibvirtReport& lv) {
    return {{"consulted", lv.consulted},
            {"connected", lv.connected},
            {"available", lv.available},
            {"version", lv.version},
            {"sev", lv.sev},
            {"sev_snp", lv.sev_snp},
            {"cbitpos", lv.cbitpos},
            {"reduced_phys_bits", lv.reduced_phys_bits},
            {"max_guests", lv.max_guests.value_or(0)},
            {"max_es_guests", lv.max_es_guests.value_or(0)},
            {"max_guests_reported", lv.max_guests.has_value() || lv.max_es_guests.has_value()},
            {"foreign_guests", foreign_json(lv.foreign_guests)}};
}

json slots_json(const SlotCount& slots) {
    return {{"total", slots.total}, {"used", slots.used}};
}

} // namespace

std::string_view check_status_name(CheckStatus status) {
    switch (status) {
    case CheckStatus::Pass:
        return "pass";
    case CheckStatus::Warn:
        return "warn";
    case CheckStatus::Fail:
        return "fail";
    case CheckStatus::Skip:
        return "skip";
    }
    return "skip";
}

std::string_view firmware_state_name(FirmwareState state) {
    switch (state) {
    case FirmwareState::Uninit:
        return "uninit";
    case FirmwareState::Init:
        return "init";
    case FirmwareState::Working:
        return "working";
    }
    return "uninit";
}

nlohmann::json report_to_json(const HostReport& report) {
    json models = json::array();
    json traits = json::array();
    for (const auto model : report.models) {
        models.push_back(model_name(model));
        traits.push_back(model_trait(model));
    }
    json checks = json::array();
    for (const auto& check : report.checks)
        checks.push_back({{"id", check.id},
                          {"status", check_status_name(check.status)},
                          {"message", check.message},
                          {"hint", check.hint}});
    return {{"ready", report.ready},
            {"models", models},
            {"traits", traits},
            {"cpu", cpu_json(report.cpu)},
            {"kernel",
             {{"module_loaded", report.kernel.module_loaded},
              {"sev", report.kernel.sev},
              {"sev_es", report.kernel.sev_es},
              {"sev_snp", report.kernel.sev_snp},
              {"misc_capacity_hidden", report.kernel.misc_capacity_hidden}}},
            {"firmware", firmware_json(report.firmware)},
            {"libvirt", libvirt_json(report.libvirt)},
            {"slots",
             {{model_name(EncryptionModel::Sev), slots_json(report.sev_slots)},
              {model_name(EncryptionModel::SevEs), slots_json(report.sev_es_slots)},
              {model_name(EncryptionModel::SevSnp), slots_json(report.sev_snp_slots)}}},
            {"memory", {{"total_bytes", report.mem_total_bytes}}},
            {"checks", checks}};
}

} // namespace sevd::probe
