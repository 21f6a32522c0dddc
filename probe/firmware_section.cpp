// firmware.* checks: /dev/sev and what the PSP firmware reports.
#include <cerrno>
#include <cstring>

#include "probe/errno_name.h"
#include "probe/report_json.h"
#include "probe/report_sections.h"
#include "probe/sev_firmware_error.h"
#include "probe/sev_platform_status.h"
#include "probe/snapshot_layout.h"

namespace sevd::probe {
namespace {

constexpr const char* kStateHint =
    "check that SEV is enabled in the BIOS and the SEV firmware is current (`dmesg | grep -i "
    "-e ccp -e sev`)";

std::string state_name(std::optional<FirmwareState> state) {
    return state ? std::string(firmware_state_name(*state)) : "unknown";
}

std::string errno_text(int error_number) {
    return errno_name(error_number) + " (" + std::strerror(error_number) + ")";
}

// Where a status record came from, for messages.
std::string status_origin(const HostFacts& facts, const char* snapshot_file) {
    return facts.live ? std::string("/dev/sev") : (facts.root / snapshot_file).string();
}

// "<command> failed: <errno>, firmware status <code>" for a status ioctl that failed.
std::string ioctl_failure(const char* command, const SevStatusRecord& record) {
    return std::string(command) + " failed: " + errno_text(record.error_number) +
           ", firmware status " + describe_sev_firmware_error(record.firmware_error);
}

std::string wrong_reply_size(const char* command, const std::string& origin,
                             const SevStatusRecord& record, size_t expected) {
    return std::string(command) + " reply from " + origin + " is " +
           std::to_string(record.reply.size()) + " bytes, expected " + std::to_string(expected);
}

bool check_device(const HostFacts& facts, CheckList& checks) {
    if (!facts.dev_sev_present) {
        checks.fail("firmware.device", "no /dev/sev: the PSP driver (ccp) found no SEV firmware",
                    "enable SEV in the BIOS, load the ccp module (`modprobe ccp`), and check "
                    "`dmesg | grep -i -e ccp -e sev`");
        return false;
    }
    const auto& status = facts.sev_status.value;
    if (!status || status->kind != SevStatusRecord::Kind::OpenError) {
        checks.pass("firmware.device", "/dev/sev present");
        return true;
    }
    const int error_number = status->error_number;
    if (error_number == EACCES || error_number == EPERM)
        checks.fail("firmware.device",
                    "permission denied opening /dev/sev (" + errno_name(error_number) + ")",
                    "run sevd as root, or grant its group access with a udev rule: "
                    "KERNEL==\"sev\", GROUP=\"sevd\", MODE=\"0660\"");
    else
        checks.fail("firmware.device", "cannot open /dev/sev: " + errno_text(error_number),
                    kStateHint);
    return false;
}

void check_es_initialized(const HostReport& report, CheckList& checks) {
    const auto& fw = report.firmware;
    if (!report.cpu.sev_es || !report.kernel.sev_es) {
        checks.skip("firmware.sev_es_init", "SEV-ES not enabled in CPU and kernel");
        return;
    }
    if (!fw.state || *fw.state == FirmwareState::Uninit) {
        checks.skip("firmware.sev_es_init",
                    "platform not initialized yet: KVM initializes it (with SEV-ES) for the first "
                    "guest");
        return;
    }
    if (fw.es_initialized)
        checks.pass("firmware.sev_es_init", "platform initialized with SEV-ES (flags bit 8)");
    else
        checks.warn_es("firmware.sev_es_init",
                       "platform initialized without SEV-ES (flags bit 8 clear)",
                       "reload ccp and kvm_amd (or reboot) with kvm_amd.sev_es=1 so the platform "
                       "is initialized with SEV-ES");
}

// True when the status was decoded.
bool check_platform_status(const HostFacts& facts, HostReport& report, CheckList& checks) {
    const auto origin = status_origin(facts, snapshot::kPlatformStatus);
    if (!facts.sev_status.error.empty()) {
        checks.fail("firmware.status", facts.sev_status.error, kRecaptureHint);
        return false;
    }
    if (facts.sev_status.absent()) {
        checks.warn("firmware.status",
                    "SEV_PLATFORM_STATUS not recorded (" + origin +
                        " missing): firmware state unknown",
                    "capture the snapshot as root on the host (`sevd capture DIR`)");
        return false;
    }
    const auto& record = *facts.sev_status.value;
    if (record.kind == SevStatusRecord::Kind::IoctlError) {
        checks.fail("firmware.status", ioctl_failure("SEV_PLATFORM_STATUS", record), kStateHint);
        return false;
    }
    const auto status = decode_sev_platform_status(record.reply);
    if (!status) {
        checks.fail(
            "firmware.status",
            wrong_reply_size("SEV_PLATFORM_STATUS", origin, record, sev::kPlatformStatusSize),
            kRecaptureHint);
        return false;
    }
    auto& fw = report.firmware;
    fw.readable = true;
    fw.api_major = status->api_major;
    fw.api_minor = status->api_minor;
    fw.build = status->build;
    fw.state = firmware_state_from_raw(status->state);
    fw.owner_external = (status->flags & sev::kFlagOwnerExternal) != 0;
    fw.es_initialized = (status->flags & sev::kFlagEsInitialized) != 0;
    fw.guest_count = status->guest_count;
    const std::string summary = "SEV firmware API " + std::to_string(fw.api_major) + "." +
                                std::to_string(fw.api_minor) + " build " +
                                std::to_string(fw.build) + ", platform state " +
                                state_name(fw.state) + ", " + std::to_string(fw.guest_count) +
                                " guests, owner " + (fw.owner_external ? "external" : "this host");
    if (!fw.state) {
        checks.fail("firmware.status",
                    summary + " (state byte " + std::to_string(status->state) + " is not 0/1/2)",
                    kStateHint);
        return false;
    }
    checks.pass("firmware.status", summary);
    return true;
}

void check_snp_status(const HostFacts& facts, HostReport& report, CheckList& checks) {
    if (!report.cpu.sev_snp) {
        checks.skip("firmware.snp", "CPU lacks SEV-SNP");
        return;
    }
    if (facts.snp_status.absent()) {
        checks.skip("firmware.snp",
                    facts.live ? "SNP firmware state unknown: SNP_PLATFORM_STATUS not issued "
                                 "because kvm_amd.sev_snp is off (on new kernels the command "
                                 "would initialize SNP firmware)"
                               : "SNP firmware state not recorded in the snapshot");
        return;
    }
    const auto origin = status_origin(facts, snapshot::kSnpPlatformStatus);
    if (!facts.snp_status.error.empty()) {
        checks.warn("firmware.snp", facts.snp_status.error, "re-capture the snapshot");
        return;
    }
    const auto& record = *facts.snp_status.value;
    if (record.kind != SevStatusRecord::Kind::Reply) {
        checks.warn("firmware.snp", ioctl_failure("SNP_PLATFORM_STATUS", record),
                    "SNP is reported only; check `dmesg | grep -i snp`");
        return;
    }
    const auto status = decode_snp_platform_status(record.reply);
    if (!status) {
        checks.warn(
            "firmware.snp",
            wrong_reply_size("SNP_PLATFORM_STATUS", origin, record, sev::kSnpPlatformStatusSize),
            "re-capture the snapshot");
        return;
    }
    SnpFirmwareReport snp{
        status->api_major,       status->api_minor,   firmware_state_from_raw(status->state),
        status->rmp_initialized, status->build,       status->guest_count,
        status->current_tcb,     status->reported_tcb};
    report.firmware.snp = snp;
    checks.pass("firmware.snp", "SNP firmware API " + std::to_string(snp.api_major) + "." +
                                    std::to_string(snp.api_minor) + " build " +
                                    std::to_string(snp.build) + ", state " + state_name(snp.state) +
                                    ", RMP " +
                                    (snp.rmp_initialized ? "initialized" : "not initialized"));
}

} // namespace

void add_firmware_section(const HostFacts& facts, HostReport& report, CheckList& checks) {
    report.firmware.present = facts.dev_sev_present;
    if (known_non_amd(report)) {
        const std::string reason = "no AMD PSP firmware (vendor " + report.cpu.vendor + ")";
        for (const auto* id :
             {"firmware.device", "firmware.status", "firmware.sev_es_init", "firmware.snp"})
            checks.skip(id, reason);
        return;
    }
    if (!check_device(facts, checks)) {
        for (const auto* id : {"firmware.status", "firmware.sev_es_init", "firmware.snp"})
            checks.skip(id, "/dev/sev unavailable");
        return;
    }
    if (check_platform_status(facts, report, checks))
        check_es_initialized(report, checks);
    else
        checks.skip("firmware.sev_es_init", "firmware status unknown");
    check_snp_status(facts, report, checks);
}

} // namespace sevd::probe
