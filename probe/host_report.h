// HostReport: everything sevd concluded about this host. Built by the pure
// report builder from HostFacts; serialised by report_json; served on D-Bus.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probe/encryption_model.h"

namespace sevd::probe {

enum class CheckStatus { Pass, Warn, Fail, Skip };

// One line of the operator checklist: what was checked, the outcome, and on
// Warn/Fail a concrete fix (hint).
struct Check {
    std::string id; // stable identifier, e.g. "cpu.vendor", "kernel.sev_es"
    CheckStatus status = CheckStatus::Skip;
    std::string message;
    std::string hint;
    std::vector<EncryptionModel> closes; // models this check makes unlaunchable (not in JSON)
    bool operator==(const Check&) const = default;
};

struct CpuReport {
    std::string vendor;
    std::string brand;
    bool hypervisor = false;
    uint32_t max_extended_leaf = 0; // CPUID 0x80000000 EAX (added by the probe issue)
    bool leaf_present = false;      // 0x8000001F within the max extended leaf
    bool page_flush_msr = false;    // 0x8000001F EAX bit2 (added by the probe issue)
    bool sme = false;
    bool sev = false;
    bool sev_es = false;
    bool sev_snp = false;
    bool vmpl = false;
    unsigned cbitpos = 0;
    unsigned reduced_phys_bits = 0;
    unsigned vmpls = 0;
    uint32_t max_asid = 0;
    uint32_t min_sev_asid = 0;
    bool operator==(const CpuReport&) const = default;
};

struct KernelReport {
    bool module_loaded = false; // /sys/module/kvm_amd exists
    bool sev = false;
    bool sev_es = false;
    bool sev_snp = false;
    // /sys/fs/cgroup is a non-root cgroup (a cgroup namespace, e.g. a
    // container): misc.capacity exists only on the root, so it cannot be seen.
    bool misc_capacity_hidden = false;
    bool operator==(const KernelReport&) const = default;
};

enum class FirmwareState { Uninit, Init, Working };

// SNP_PLATFORM_STATUS, only when it was queried (kvm_amd.sev_snp on) or
// recorded in a snapshot (added by the probe issue).
struct SnpFirmwareReport {
    unsigned api_major = 0;
    unsigned api_minor = 0;
    std::optional<FirmwareState> state;
    bool rmp_initialized = false;
    uint32_t build = 0;
    uint32_t guest_count = 0;
    uint64_t current_tcb = 0;
    uint64_t reported_tcb = 0;
    bool operator==(const SnpFirmwareReport&) const = default;
};

struct FirmwareReport {
    bool present = false;  // /dev/sev exists
    bool readable = false; // and could be opened and queried
    unsigned api_major = 0;
    unsigned api_minor = 0;
    unsigned build = 0;
    std::optional<FirmwareState> state; // nullopt: unknown
    bool owner_external = false;        // flags bit0
    bool es_initialized = false;        // flags bit8
    uint32_t guest_count = 0;
    std::optional<SnpFirmwareReport> snp; // added by the probe issue
    bool operator==(const FirmwareReport&) const = default;
};

// A running encrypted domain sevd did not launch (no sevd mark): it holds an
// ASID of `pool` and locked memory, and sevd never stops it.
struct ForeignDomain {
    std::string name;
    EncryptionModel pool = EncryptionModel::Sev;
    bool operator==(const ForeignDomain&) const = default;
};

struct LibvirtReport {
    bool consulted = false; // false with --no-libvirt (added by the probe issue)
    bool connected = false; // connection to the URI opened (added by the probe issue)
    bool available = false; // connected and domain capabilities read
    uint64_t version = 0;   // virConnectGetLibVersion, 0 when unknown
    bool sev = false;       // <sev supported='yes'>
    bool sev_snp = false;   // <launchSecurity> lists sectype sev-snp (libvirt >= 10.5)
    unsigned cbitpos = 0;
    unsigned reduced_phys_bits = 0;
    std::optional<uint32_t> max_guests; // absent before libvirt 8.0
    std::optional<uint32_t> max_es_guests;
    std::vector<ForeignDomain> foreign_guests; // running encrypted domains not sevd's
    bool operator==(const LibvirtReport&) const = default;
};

struct SlotCount {
    uint32_t total = 0; // usable now (see DESIGN.md: capped by every source)
    uint32_t used = 0;
    // `used` is the kernel's misc.current: ASIDs held by anyone, which the
    // launcher's ledger (libvirt's guests) cannot see. When false, `used`
    // counts libvirt's running guests as of the last reading, which the
    // ledger itself follows more closely.
    bool used_by_kernel = false;
    bool operator==(const SlotCount&) const = default;
};

struct HostReport {
    bool ready = false;
    std::vector<EncryptionModel> models; // launchable now, in kAllModels order
    CpuReport cpu;
    KernelReport kernel;
    FirmwareReport firmware;
    LibvirtReport libvirt;
    SlotCount sev_slots;
    SlotCount sev_es_slots;
    SlotCount sev_snp_slots;      // the SEV-ES ASIDs again (one pool), with SNP's own prerequisites
    uint64_t mem_total_bytes = 0; // MemTotal from /proc/meminfo, 0 if unknown
    std::vector<Check> checks;

    const SlotCount& slots(EncryptionModel m) const {
        switch (m) {
        case EncryptionModel::Sev:
            return sev_slots;
        case EncryptionModel::SevEs:
            return sev_es_slots;
        case EncryptionModel::SevSnp:
            return sev_snp_slots;
        }
        return sev_slots;
    }
    bool launchable(EncryptionModel m) const {
        return std::find(models.begin(), models.end(), m) != models.end();
    }
    // The probe's reason a model is not launchable: the first check that
    // closes it (CheckList, in report order: CPU, kernel, firmware, host,
    // libvirt, slots). nullptr when none does.
    const Check* closing_check(EncryptionModel m) const {
        const auto it = std::find_if(checks.begin(), checks.end(), [m](const Check& check) {
            return std::find(check.closes.begin(), check.closes.end(), m) != check.closes.end();
        });
        return it == checks.end() ? nullptr : &*it;
    }
    SlotCount& slots(EncryptionModel m) {
        return const_cast<SlotCount&>(std::as_const(*this).slots(m));
    }
    bool operator==(const HostReport&) const = default;
};

} // namespace sevd::probe
