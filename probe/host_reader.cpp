// read_host_facts: every source except libvirt, from the live host or a snapshot.
#include <array>
#include <sys/stat.h>

#include "common/file_reader.h"
#include "probe/cpuid_decoder.h"
#include "probe/cpuid_live.h"
#include "probe/meminfo_decoder.h"
#include "probe/prober.h"
#include "probe/sev_device.h"
#include "probe/snapshot_layout.h"

namespace sevd::probe {
namespace {

namespace fs = std::filesystem;

bool path_exists(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool path_is_directory(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Reads and decodes one optional text file into a Source.
template <typename T, typename Decode>
Source<T> read_source(const fs::path& path, Decode&& decode) {
    Source<T> source;
    const auto file = read_small_file(path);
    if (file.status == FileRead::Status::Missing)
        return source;
    if (!file.ok()) {
        source.error = file.error;
        return source;
    }
    decode(file.content, source);
    if (!source.value && source.error.empty())
        source.error = path.string() + ": cannot be decoded";
    return source;
}

Source<CpuReport> cpu_from_dump(const CpuidDump& dump, const std::string& origin) {
    Source<CpuReport> source;
    auto decoded = decode_cpuid(dump);
    if (!decoded.error.empty()) {
        source.error = origin + ": " + decoded.error;
        return source;
    }
    source.value = std::move(decoded.cpu);
    return source;
}

Source<CpuReport> read_cpu(const fs::path& root, bool live) {
    if (live)
        return cpu_from_dump(read_probe_leaves(), "CPUID instruction");
    const auto path = root / snapshot::kCpuid;
    const auto file = read_small_file(path);
    Source<CpuReport> source;
    if (file.status == FileRead::Status::Missing) {
        source.error = path.string() + ": missing (a snapshot holds `cpuid -r -1` output here)";
        return source;
    }
    if (!file.ok()) {
        source.error = file.error;
        return source;
    }
    const auto parsed = parse_cpuid_dump(file.content);
    if (!parsed.error.empty()) {
        source.error = path.string() + ": " + parsed.error;
        return source;
    }
    return cpu_from_dump(parsed.dump, path.string());
}

KvmParam read_param(const fs::path& root, const char* name) {
    const auto file = read_small_file(root / snapshot::kKvmAmdParameters / name);
    if (file.status == FileRead::Status::Missing)
        return {};
    if (!file.ok())
        return KvmParam{KvmParam::State::Garbage, file.error};
    return decode_kvm_param(file.content);
}

Source<MiscCounts> read_misc(const fs::path& path) {
    return read_source<MiscCounts>(path, [&path](const std::string& text, auto& source) {
        auto parsed = decode_misc_counts(text);
        source.value = parsed.counts;
        if (!parsed.counts)
            source.error = path.string() + ": " + parsed.error;
    });
}

void read_misc_cgroup(const fs::path& root, HostFacts& facts) {
    facts.cgroup_namespaced = path_exists(root / snapshot::kCgroupTypeFile);
    for (const auto* dir : snapshot::kMiscCgroupDirs) {
        const auto capacity = root / dir / snapshot::kMiscCapacity;
        if (!path_exists(capacity))
            continue;
        facts.misc_path = (fs::path("/") / dir).lexically_normal().string();
        facts.misc_capacity = read_misc(capacity);
        facts.misc_current = read_misc(root / dir / snapshot::kMiscCurrent);
        return;
    }
}

Source<SevStatusRecord> read_status_file(const fs::path& path) {
    return read_source<SevStatusRecord>(path, [&path](const std::string& text, auto& source) {
        auto parsed = parse_sev_status_record(text);
        source.value = parsed.record;
        if (!parsed.record)
            source.error = path.string() + ": " + parsed.error;
    });
}

void read_firmware(const fs::path& root, bool live, HostFacts& facts) {
    facts.dev_sev_present = path_exists(root / snapshot::kDevSev);
    if (!facts.dev_sev_present)
        return;
    if (!live) {
        facts.sev_status = read_status_file(root / snapshot::kPlatformStatus);
        facts.snp_status = read_status_file(root / snapshot::kSnpPlatformStatus);
        return;
    }
    auto reading = read_sev_device(root / snapshot::kDevSev, facts.kvm_sev_snp.enabled());
    facts.sev_status.value = std::move(reading.platform);
    if (reading.snp)
        facts.snp_status.value = std::move(*reading.snp);
}

Source<uint64_t> read_mem_total(const fs::path& root) {
    const auto path = root / snapshot::kMeminfo;
    return read_source<uint64_t>(path, [&path](const std::string& text, auto& source) {
        source.value = parse_meminfo_total_bytes(text);
        if (!source.value)
            source.error = path.string() + ": no valid 'MemTotal: N kB' line";
    });
}

Source<MemlockLimit> read_memlock(const fs::path& root) {
    const auto path = root / snapshot::kSelfLimits;
    return read_source<MemlockLimit>(path, [&path](const std::string& text, auto& source) {
        source.value = decode_memlock_limit(text);
        if (!source.value)
            source.error = path.string() + ": no valid 'Max locked memory' row";
    });
}

} // namespace

bool is_live_root(const fs::path& root) {
    return root.lexically_normal() == "/";
}

HostFacts read_host_facts(const fs::path& root) {
    HostFacts facts;
    facts.root = root;
    facts.live = is_live_root(root);
    if (!path_is_directory(root)) {
        facts.root_error =
            root.string() + ": not a directory (expected a snapshot written by `sevd capture DIR`)";
        return facts;
    }
    facts.cpu = read_cpu(root, facts.live);
    facts.kvm_amd_loaded = path_is_directory(root / snapshot::kKvmAmdParameters);
    facts.kvm_sev = read_param(root, "sev");
    facts.kvm_sev_es = read_param(root, "sev_es");
    facts.kvm_sev_snp = read_param(root, "sev_snp");
    read_misc_cgroup(root, facts);
    read_firmware(root, facts.live, facts);
    facts.dev_kvm_present = path_exists(root / snapshot::kDevKvm);
    facts.memlock = read_memlock(root);
    facts.mem_total_bytes = read_mem_total(root);
    return facts;
}

} // namespace sevd::probe
