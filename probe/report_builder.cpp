// build_report (pure) and choose_libvirt_source.
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

bool kernel_enables(EncryptionModel model, const KernelReport& kernel) {
    switch (model) {
    case EncryptionModel::Sev:
        return kernel.sev;
    case EncryptionModel::SevEs:
        return kernel.sev && kernel.sev_es;
    case EncryptionModel::SevSnp:
        return kernel.sev && kernel.sev_snp;
    }
    return false;
}

// Every number of a model's pool (asid_pool): SEV-SNP counts the SEV-ES ASIDs.
SlotInputs slot_inputs(EncryptionModel model, const HostFacts& host,
                       const std::optional<LibvirtFacts>& libvirt, const HostReport& report,
                       std::optional<uint32_t> cap) {
    const bool sev_pool = asid_pool(model) == EncryptionModel::Sev;
    SlotInputs in;
    in.cpuid_range = sev_pool ? sev_asid_count(report.cpu) : sev_es_asid_count(report.cpu);
    in.kernel_enabled = kernel_enables(model, report.kernel);
    in.config_cap = cap;
    const auto misc_member = sev_pool ? &MiscCounts::sev : &MiscCounts::sev_es;
    in.misc_capacity = field_of(host.misc_capacity, misc_member);
    in.misc_current = field_of(host.misc_current, misc_member);
    if (libvirt) {
        if (libvirt->domcaps.value && libvirt->domcaps.value->supported)
            in.libvirt_max = sev_pool ? libvirt->domcaps.value->max_guests
                                      : libvirt->domcaps.value->max_es_guests;
        in.libvirt_running = field_of(libvirt->running, sev_pool ? &RunningEncryptedGuests::sev
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
    else if (model == EncryptionModel::SevEs)
        checks.warn_es(id, message,
                       "no source may be 0: see cpu.asid_split, kernel.sev_es and libvirt.sev");
    else
        checks.warn_snp(id, message,
                        "no source may be 0: SEV-SNP uses the SEV-ES ASIDs; see cpu.asid_split, "
                        "kernel.sev_snp and libvirt.sev");
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
        report.slots(model) = compute_slots(in);
        add_slot_check(model, in, report.slots(model), checks.open(model), checks);
    }
    for (const auto model : kAllModels)
        if (checks.open(model) && report.slots(model).total > 0)
            report.models.push_back(model);
    report.ready = !report.models.empty();
    report.checks = checks.take();
    return report;
}

LibvirtSource choose_libvirt_source(const std::filesystem::path& root, bool no_libvirt,
                                    bool explicit_uri) {
    if (no_libvirt)
        return LibvirtSource::None;
    return is_live_root(root) || explicit_uri ? LibvirtSource::Live : LibvirtSource::Snapshot;
}

} // namespace sevd::probe
