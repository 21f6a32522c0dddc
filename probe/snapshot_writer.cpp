#include "probe/snapshot_writer.h"

#include <stdexcept>

#include "common/file_reader.h"
#include "probe/cpuid_live.h"
#include "probe/kvm_param_decoder.h"
#include "probe/libvirt_state.h"
#include "probe/sev_device.h"
#include "probe/snapshot_layout.h"

namespace sevd::probe {
namespace {

namespace fs = std::filesystem;

class SnapshotWriter {
public:
    explicit SnapshotWriter(fs::path dir) : dir_(std::move(dir)) {}

    void write(const fs::path& relative, std::string_view content) {
        write_text_file(dir_ / relative, content);
        result_.written.push_back(relative);
    }

    // Copies a live file to the same relative place; absent files stay absent.
    bool copy(const fs::path& relative, const fs::path& live_path) {
        const auto file = read_small_file(live_path);
        if (file.ok()) {
            write(relative, file.content);
            return true;
        }
        note(file.status == FileRead::Status::Missing ? live_path.string() + ": absent"
                                                      : file.error);
        return false;
    }

    void note(std::string text) { result_.notes.push_back(std::move(text)); }
    CaptureResult take() { return std::move(result_); }

private:
    fs::path dir_;
    CaptureResult result_;
};

void capture_kernel(SnapshotWriter& out) {
    const fs::path params = snapshot::kKvmAmdParameters;
    for (const auto* name : snapshot::kKvmAmdParameterNames)
        out.copy(params / name, fs::path("/") / params / name);
    const auto cgroup_type = fs::path("/") / snapshot::kCgroupTypeFile;
    if (fs::exists(cgroup_type))
        out.copy(snapshot::kCgroupTypeFile, cgroup_type);
    // Write the misc files where the reader looks first, whatever the hierarchy.
    for (const auto* dir : snapshot::kMiscCgroupDirs) {
        const auto live = fs::path("/") / dir;
        if (!fs::exists(live / snapshot::kMiscCapacity))
            continue;
        const fs::path target = snapshot::kMiscCgroupDirs[0];
        out.copy(target / snapshot::kMiscCapacity, live / snapshot::kMiscCapacity);
        out.copy(target / snapshot::kMiscCurrent, live / snapshot::kMiscCurrent);
        return;
    }
    out.note("misc cgroup: no misc.capacity on this host");
}

void capture_firmware(SnapshotWriter& out) {
    const fs::path device = fs::path("/") / snapshot::kDevSev;
    if (!fs::exists(device)) {
        out.note("/dev/sev: absent");
        return;
    }
    out.write(snapshot::kDevSev, "");
    const auto snp_param = read_small_file(fs::path("/") / snapshot::kKvmAmdParameters / "sev_snp");
    const bool query_snp = snp_param.ok() && decode_kvm_param(snp_param.content).enabled();
    const auto reading = read_sev_device(device, query_snp);
    out.write(snapshot::kPlatformStatus, format_sev_status_record(reading.platform));
    if (reading.snp)
        out.write(snapshot::kSnpPlatformStatus, format_sev_status_record(*reading.snp));
    else
        out.note("SNP_PLATFORM_STATUS: not issued (kvm_amd.sev_snp off)");
}

void record_libvirt(SnapshotWriter& out, const LibvirtCapture& capture) {
    const auto& facts = capture.facts;
    if (capture.domcaps_xml)
        out.write(snapshot::kDomainCapabilities, *capture.domcaps_xml);
    if (!facts.connected)
        out.note("libvirt " + facts.uri + ": " + facts.connect_error + " (recorded in state.json)");
    out.write(snapshot::kLibvirtState, format_libvirt_state(facts));
}

} // namespace

CaptureResult capture_snapshot(const fs::path& dir, const LibvirtCapturer& read_libvirt) {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
        throw std::runtime_error(dir.string() + ": exists and is not empty (stale files would "
                                                "mislead a replay); choose a new directory");
    fs::create_directories(dir);

    SnapshotWriter out(dir);
    out.write(snapshot::kCpuid, format_cpuid_dump(read_all_leaves()));
    out.copy(snapshot::kMeminfo, fs::path("/") / snapshot::kMeminfo);
    out.copy(snapshot::kSelfLimits, fs::path("/") / snapshot::kSelfLimits);
    capture_kernel(out);
    capture_firmware(out);
    if (fs::exists(fs::path("/") / snapshot::kDevKvm))
        out.write(snapshot::kDevKvm, "");
    if (read_libvirt)
        record_libvirt(out, read_libvirt());
    return out.take();
}

} // namespace sevd::probe
