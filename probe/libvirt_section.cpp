// libvirt.* checks: connection, libvirt's SEV view, agreement with CPUID.
#include "probe/cpuid_decoder.h"
#include "probe/report_sections.h"

namespace sevd::probe {
namespace {

constexpr const char* kRestartHint =
    "libvirt caches capabilities: restart libvirtd (or virtqemud) after BIOS, firmware or "
    "module changes";

std::string optional_text(const std::optional<uint32_t>& v) {
    return v ? std::to_string(*v) : std::string("n/a");
}

void fill_report(const LibvirtFacts& facts, LibvirtReport& out) {
    out.consulted = true;
    out.connected = facts.connected;
    out.version = facts.version.value_or(0);
    const auto& caps = facts.domcaps.value;
    out.available = facts.connected && caps.has_value();
    if (facts.running.value)
        for (const auto& guest : facts.running.value->guests)
            if (!guest.launched_by_sevd)
                out.foreign_guests.push_back({guest.name, guest.pool});
    if (!caps)
        return;
    out.sev = caps->supported;
    out.cbitpos = caps->cbitpos.value_or(0);
    out.reduced_phys_bits = caps->reduced_phys_bits.value_or(0);
    out.max_guests = caps->max_guests;
    out.max_es_guests = caps->max_es_guests;
    out.sev_snp = caps->supported && caps->sev_snp;
}

// "10.5.0" from 10005000.
std::string version_text(uint64_t version) {
    return std::to_string(version / 1'000'000) + "." + std::to_string(version / 1000 % 1000) + "." +
           std::to_string(version % 1000);
}

// Nova's rule: SNP when the domain capabilities list launch security type
// sev-snp (libvirt reports the list from 10.5 on).
void check_sev_snp_view(const LibvirtFacts& facts, const HostReport& report, CheckList& checks) {
    if (!report.cpu.sev_snp || !report.kernel.sev_snp) {
        checks.skip_snp("libvirt.sev_snp", "SEV-SNP not enabled in CPU and kernel");
        return;
    }
    const auto& caps = facts.domcaps.value;
    const std::string version =
        facts.version ? "libvirt " + version_text(*facts.version) : std::string("libvirt");
    if (caps && caps->sev_snp) {
        checks.pass("libvirt.sev_snp",
                    version + " lists launch security type sev-snp in its domain capabilities");
        return;
    }
    checks.warn_snp("libvirt.sev_snp",
                    version +
                        " does not list launch security type sev-snp in its domain "
                        "capabilities" +
                        std::string(caps && !caps->launch_security_listed
                                        ? " (no <launchSecurity> element: libvirt older "
                                          "than 10.5, e.g. Debian 12's 9.0)"
                                        : ""),
                    "SEV-SNP guests need libvirt 10.5 or later with QEMU 9.1 or later (Debian 13, "
                    "or bookworm-backports); then restart virtqemud / libvirtd");
}

void check_connection(const LibvirtFacts& facts, CheckList& checks) {
    if (facts.connected) {
        checks.pass("libvirt.connection", "connected to " + facts.uri);
        return;
    }
    checks.fail("libvirt.connection", "cannot connect to " + facts.uri + ": " + facts.connect_error,
                "start libvirtd (or virtqemud: `systemctl start virtqemud.socket`), or choose "
                "another --libvirt-uri, or probe without libvirt (--no-libvirt)");
}

// True when libvirt says SEV is supported.
bool check_sev_view(const LibvirtFacts& facts, CheckList& checks) {
    const auto& caps = facts.domcaps;
    if (!caps.error.empty()) {
        checks.fail("libvirt.sev", "cannot read domain capabilities: " + caps.error,
                    "check `virsh domcapabilities --machine q35` (or re-capture the snapshot)");
        return false;
    }
    if (caps.absent()) {
        if (!facts.connected && facts.domcaps_source.empty())
            checks.skip("libvirt.sev", "not connected");
        else
            checks.fail("libvirt.sev",
                        "no domain capabilities in the snapshot (" + facts.domcaps_source +
                            " missing): the captured host had no reachable libvirt",
                        "capture on the host while libvirtd runs");
        return false;
    }
    if (!caps.value->element_present) {
        checks.fail("libvirt.sev",
                    "domain capabilities have no <sev> element: libvirt or QEMU too old for SEV",
                    "install libvirt >= 8.0 and a QEMU with SEV support");
        return false;
    }
    if (!caps.value->supported) {
        checks.fail("libvirt.sev",
                    "libvirt reports <sev supported='no'>: QEMU cannot launch SEV "
                    "guests here",
                    "make SEV usable (kvm_amd.sev=1, /dev/sev present), then restart libvirtd / "
                    "virtqemud (capabilities are cached)");
        return false;
    }
    const auto& sev = *caps.value;
    checks.pass("libvirt.sev", "libvirt supports SEV: cbitpos " + optional_text(sev.cbitpos) +
                                   ", reducedPhysBits " + optional_text(sev.reduced_phys_bits) +
                                   ", maxGuests " + optional_text(sev.max_guests) +
                                   ", maxESGuests " + optional_text(sev.max_es_guests));
    return true;
}

// libvirt reads the same CPUID through QEMU; a difference means a stale cache.
void check_agreement(const DomainCapsSev& sev, const CpuReport& cpu, CheckList& checks) {
    std::string differences;
    auto compare = [&differences](const char* what, const std::optional<uint32_t>& libvirt,
                                  uint32_t cpuid_value) {
        if (libvirt && *libvirt != cpuid_value)
            differences += std::string(differences.empty() ? "" : "; ") + what + " " +
                           std::to_string(*libvirt) + " but CPUID gives " +
                           std::to_string(cpuid_value);
    };
    // reducedPhysBits is not compared: QEMU always reports 1.
    compare("cbitpos", sev.cbitpos, cpu.cbitpos);
    compare("maxGuests", sev.max_guests, sev_asid_count(cpu));
    compare("maxESGuests", sev.max_es_guests, sev_es_asid_count(cpu));
    if (differences.empty())
        checks.pass("libvirt.agreement", "libvirt's SEV view agrees with CPUID");
    else
        checks.warn("libvirt.agreement", "libvirt disagrees with CPUID: " + differences,
                    kRestartHint);
}

void check_running(const LibvirtFacts& facts, CheckList& checks) {
    const auto& running = facts.running;
    if (!facts.connected) {
        checks.skip("libvirt.guests", "not connected");
        return;
    }
    if (!running.value) {
        checks.warn("libvirt.guests", running.error, "check libvirt permissions for this user");
        return;
    }
    std::string foreign;
    for (const auto& guest : running.value->guests)
        if (!guest.launched_by_sevd)
            foreign += (foreign.empty() ? "" : ", ") + guest.name;
    checks.pass("libvirt.guests",
                "running encrypted guests: " + std::to_string(running.value->sev) + " SEV, " +
                    std::to_string(running.value->sev_es) + " SEV-ES or SEV-SNP" +
                    (foreign.empty()
                         ? ""
                         : "; not launched by sevd (counted, never stopped by it): " + foreign));
}

} // namespace

void add_libvirt_section(const std::optional<LibvirtFacts>& libvirt, HostReport& report,
                         CheckList& checks) {
    if (!libvirt) {
        for (const auto* id : {"libvirt.connection", "libvirt.sev", "libvirt.sev_snp",
                               "libvirt.agreement", "libvirt.guests"})
            checks.skip(id, "libvirt not consulted (--no-libvirt)");
        return;
    }
    fill_report(*libvirt, report.libvirt);
    check_connection(*libvirt, checks);
    if (check_sev_view(*libvirt, checks)) {
        check_sev_snp_view(*libvirt, report, checks);
        if (report.cpu.leaf_present)
            check_agreement(*libvirt->domcaps.value, report.cpu, checks);
        else
            checks.skip("libvirt.agreement", "nothing to compare");
    } else {
        checks.skip("libvirt.sev_snp", "libvirt's SEV view unavailable (see libvirt.sev)");
        checks.skip("libvirt.agreement", "nothing to compare");
    }
    check_running(*libvirt, checks);
}

} // namespace sevd::probe
