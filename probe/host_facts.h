// HostFacts: what the readers found, before any conclusion. Every source
// keeps its own outcome (value, absent, or an error naming the file) so the
// pure report builder can explain each one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "probe/domcaps_decoder.h"
#include "probe/encryption_model.h"
#include "probe/host_report.h"
#include "probe/kvm_param_decoder.h"
#include "probe/limits_decoder.h"
#include "probe/misc_cgroup_decoder.h"
#include "probe/sev_status_record.h"

namespace sevd::probe {

// A source that is either read and decoded, absent on the host, or broken.
template <typename T>
struct Source {
    std::optional<T> value;
    std::string error; // non-empty: unreadable or undecodable, names the file
    bool absent() const { return !value && error.empty(); }
    bool operator==(const Source&) const = default;
};

struct HostFacts {
    std::filesystem::path root = "/"; // "/" = the live host, else a snapshot
    bool live = true;
    std::string root_error; // the snapshot directory does not exist / is not a directory

    Source<CpuReport> cpu; // absent never happens on a live host

    bool kvm_amd_loaded = false; // sys/module/kvm_amd/parameters exists
    KvmParam kvm_sev;
    KvmParam kvm_sev_es;
    KvmParam kvm_sev_snp;

    Source<MiscCounts> misc_capacity;
    Source<MiscCounts> misc_current;
    std::string misc_path; // where the misc files were found (for messages)
    // sys/fs/cgroup/cgroup.type exists: a non-root cgroup is mounted there (a
    // cgroup namespace), where misc.capacity cannot be seen.
    bool cgroup_namespaced = false;

    bool dev_sev_present = false;
    Source<SevStatusRecord> sev_status; // absent: not recorded (snapshot) / no device
    Source<SevStatusRecord> snp_status; // absent: not queried

    bool dev_kvm_present = false;
    Source<MemlockLimit> memlock;     // proc/self/limits
    Source<uint64_t> mem_total_bytes; // proc/meminfo MemTotal
    bool operator==(const HostFacts&) const = default;
};

// One running domain with <launchSecurity>, by the ASID pool it holds
// (asid_pool(): Sev, or SevEs for SEV-ES and SEV-SNP guests).
struct RunningEncryptedGuest {
    std::string name;
    EncryptionModel pool = EncryptionModel::Sev;
    bool launched_by_sevd = false; // carries sevd's mark (probe/domain_mark.h)
    bool operator==(const RunningEncryptedGuest&) const = default;
};

struct RunningEncryptedGuests {
    uint32_t sev = 0;    // <launchSecurity type='sev'> without policy bit 2
    uint32_t sev_es = 0; // with policy bit 2, or type='sev-snp' (probe::asid_pool)
    // Each of them by name (what `sevd capture` records in libvirt/state.json).
    std::vector<RunningEncryptedGuest> guests;
    bool operator==(const RunningEncryptedGuests&) const = default;
};

struct LibvirtFacts {
    std::string uri;
    std::string machine_type = "q35"; // the machine type domain capabilities are asked for
    bool connected = false;
    std::string connect_error;  // virGetLastErrorMessage when the connection failed
    std::string domcaps_source; // snapshot file path, or "<uri> (q35)"
    Source<DomainCapsSev> domcaps;
    Source<RunningEncryptedGuests> running;
    std::optional<uint64_t> version; // virConnectGetLibVersion (major * 1e6 + minor * 1e3 + micro)
    bool operator==(const LibvirtFacts&) const = default;
};

} // namespace sevd::probe
