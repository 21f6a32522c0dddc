// build_report (pure) and probe_host.
#include "probe/cpuid_decoder.h"
#include "probe/prober.h"
#include "probe/report_sections.h"
#include "probe/slot_rules.h"

namespace sevd::probe {
namespace {

template <typename T, typename Member>
std::optional<uint32_t> field_of(const Source<T>& source, Member member) {
    if (!source.value)
        return std::nullopt;
    return (*source.value).*member;
}

SlotInputs slot_inputs(EncryptionModel model, const HostFacts& host,
                       const std::optional<LibvirtFacts>& libvirt, const HostReport& report,
                       std::optional<uint32_t> cap) {
    const bool sev = model == EncryptionModel::Sev;
    SlotInputs in;
    in.cpuid_range = sev ? sev_asid_count(report.cpu) : sev_es_asid_count(report.cpu);
    in.kernel_enabled = sev ? report.kernel.sev : report.kernel.sev && report.kernel.sev_es;
    in.config_cap = cap;
    const auto misc_member = sev ? &MiscCounts::sev : &MiscCounts::sev_es;
    in.misc_capacity = field_of(host.misc_capacity, misc_member);
    in.misc_current = field_of(host.misc_current, misc_member);
    if (libvirt) {
        if (libvirt->domcaps.value && libvirt->domcaps.value->supported)
            in.libvirt_max =
                sev ? libvirt->domcaps.value->max_guests : libvirt->domcaps.value->max_es_guests;
        in.libvirt_running = field_of(libvirt->running, sev ? &RunningEncryptedGuests::sev
                                                            : &RunningEncryptedGuests::sev_es);
    }
    return in;
}

void add_slot_check(EncryptionModel model, const SlotInputs& in, const SlotCount& slots, bool open,
                    CheckList& checks) {
    const std::string id = "slots." + std::string(model_name(model));
    const std::string message = std::string(model_name(model)) + ": " + explain_slots(in, slots);
    if (!open)
        checks.skip(id, message + " (model unavailable, see the checks above)");
    else if (slots.total > 0)
        checks.pass(id, message);
    else if (model == EncryptionModel::Sev)
        checks.fail(id, message,
                    "no source may be 0: see the ASID, misc cgroup and libvirt checks");
    else
        checks.warn_es(id, message,
                       "no source may be 0: see cpu.asid_split, kernel.sev_es and libvirt.sev");
}

} // namespace

HostReport build_report(const HostFacts& host, const std::optional<LibvirtFacts>& libvirt,
                        std::optional<uint32_t> max_encrypted_guests) {
    HostReport report;
    CheckList checks;
    if (!host.root_error.empty()) {
        checks.fail("snapshot.root", host.root_error,
                    "pass a directory written by `sevd capture DIR`");
        report.checks = checks.take();
        return report;
    }
    add_cpu_section(host, report, checks);
    add_kernel_section(host, report, checks);
    add_firmware_section(host, report, checks);
    add_host_section(host, report, checks);
    add_libvirt_section(libvirt, report, checks);

    for (const auto model : kAllModels) {
        const auto in = slot_inputs(model, host, libvirt, report, max_encrypted_guests);
        auto& slots = model == EncryptionModel::Sev ? report.sev_slots : report.sev_es_slots;
        slots = compute_slots(in);
        const bool open = model == EncryptionModel::Sev ? checks.sev_open() : checks.sev_es_open();
        add_slot_check(model, in, slots, open, checks);
    }
    if (checks.sev_open() && report.sev_slots.total > 0)
        report.models.push_back(EncryptionModel::Sev);
    if (checks.sev_es_open() && report.sev_es_slots.total > 0)
        report.models.push_back(EncryptionModel::SevEs);
    report.ready = !report.models.empty();
    report.checks = checks.take();
    return report;
}

HostReport probe_host(const ProbeOptions& options) {
    const auto host = read_host_facts(options.root);
    std::optional<LibvirtFacts> libvirt;
    if (options.libvirt_uri && host.root_error.empty())
        libvirt = read_libvirt_facts(options.root, *options.libvirt_uri);
    return build_report(host, libvirt, options.max_encrypted_guests);
}

} // namespace sevd::probe
