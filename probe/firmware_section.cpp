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

// SNP firmware API 1.51 is the first that runs SNP guests (AMD SEV-SNP
// firmware ABI specification, SNP_PLATFORM_STATUS).
constexpr unsigned kSnpMinApiMajor = 1;
constexpr unsigned kSnpMinApiMinor = 51;

constexpr const char* kSnpDmesgHint =
    "check `dmesg | grep -i -e snp -e rmp`: enable SEV-SNP and SNP memory coverage in the BIOS";

// A TCB_VERSION as its components (bytes 0 boot loader, 1 TEE, 6 SNP, 7 microcode).
std::string tcb_text(uint64_t tcb) {
    auto byte = [tcb](unsigned index) { return std::to_string((tcb >> (8 * index)) & 0xFFu); };
    return "boot loader " + byte(0) + ", TEE " + byte(1) + ", SNP " + byte(6) + ", microcode " +
           byte(7);
}

// nullopt with the check already added when the status cannot be used.
std::optional<SnpPlatformStatus> snp_status(const HostFacts& facts, const HostReport& report,
                                            CheckList& checks) {
    if (!report.kernel.sev_snp) {
        checks.skip_snp("firmware.snp",
                        "SNP firmware state unknown: SNP_PLATFORM_STATUS is issued only while "
                        "kvm_amd.sev_snp is on (on new kernels the command would itself "
                        "initialize SNP firmware, which a probe must not do)");
        return std::nullopt;
    }
    if (facts.snp_status.absent()) {
        checks.warn_snp(
            "firmware.snp",
            "SNP firmware state unknown: SNP_PLATFORM_STATUS not recorded (" +
                (facts.root / snapshot::kSnpPlatformStatus).string() + " missing)",
            "capture the snapshot as root with kvm_amd.sev_snp on (`sevd capture DIR`)");
        return std::nullopt;
    }
    const auto origin = status_origin(facts, snapshot::kSnpPlatformStatus);
    if (!facts.snp_status.error.empty()) {
        checks.warn_snp("firmware.snp", facts.snp_status.error, kRecaptureHint);
        return std::nullopt;
    }
    const auto& record = *facts.snp_status.value;
    if (record.kind != SevStatusRecord::Kind::Reply) {
        const auto why = record.kind == SevStatusRecord::Kind::OpenError
                             ? "cannot open /dev/sev: " + errno_text(record.error_number)
                             : ioctl_failure("SNP_PLATFORM_STATUS", record);
        checks.warn_snp("firmware.snp", why, kSnpDmesgHint);
        return std::nullopt;
    }
    const auto status = decode_snp_platform_status(record.reply);
    if (!status)
        checks.warn_snp(
            "firmware.snp",
            wrong_reply_size("SNP_PLATFORM_STATUS", origin, record, sev::kSnpPlatformStatusSize),
            kRecaptureHint);
    return status;
}

// snphost ok: SNP firmware version and state.
void check_snp_firmware(const SnpFirmwareReport& snp, CheckList& checks) {
    const std::string summary = "SNP firmware API " + std::to_string(snp.api_major) + "." +
                                std::to_string(snp.api_minor) + " build " +
                                std::to_string(snp.build) + ", state " + state_name(snp.state) +
                                ", " + std::to_string(snp.guest_count) + " SNP guests";
    if (snp.api_major < kSnpMinApiMajor ||
        (snp.api_major == kSnpMinApiMajor && snp.api_minor < kSnpMinApiMinor))
        checks.warn_snp("firmware.snp", summary + ": older than 1.51, the first SNP firmware",
                        "update the SEV firmware (BIOS update, or the amd_sev_fam19h_*.sbin "
                        "from AMD in /lib/firmware/amd/ and reload ccp)");
    else if (snp.state != FirmwareState::Init)
        checks.warn_snp("firmware.snp",
                        summary + ": not initialized although kvm_amd.sev_snp is on",
                        kSnpDmesgHint);
    else
        checks.pass("firmware.snp", summary);
}

// snphost ok: the RMP table (SNP's page ownership table) is set up.
void check_snp_rmp(const SnpFirmwareReport& snp, CheckList& checks) {
    if (snp.rmp_initialized)
        checks.pass("firmware.snp_rmp", "RMP table initialized (SNP_PLATFORM_STATUS byte 3 bit 0)");
    else
        checks.warn_snp("firmware.snp_rmp",
                        "RMP table not initialized (SNP_PLATFORM_STATUS byte 3 bit 0 clear)",
                        "the BIOS must reserve the RMP (SEV-SNP and SNP memory coverage on); " +
                            std::string(kSnpDmesgHint));
}

// snphost ok compares the reported TCB with the platform's: attestation
// reports carry the reported one until a new TCB is committed.
void check_snp_tcb(const SnpFirmwareReport& snp, CheckList& checks) {
    if (snp.current_tcb == snp.reported_tcb) {
        checks.pass("firmware.snp_tcb",
                    "reported TCB equals the platform TCB (" + tcb_text(snp.current_tcb) + ")");
        return;
    }
    checks.warn("firmware.snp_tcb",
                "reported TCB (" + tcb_text(snp.reported_tcb) +
                    ") differs from the platform TCB (" + tcb_text(snp.current_tcb) +
                    "): guests' attestation reports carry the reported one",
                "once the new firmware is to stay, commit it (`snphost commit`, SNP_COMMIT) so "
                "the reported TCB and the VCEK certificates match the platform");
}

void check_snp(const HostFacts& facts, HostReport& report, CheckList& checks) {
    if (!report.cpu.sev_snp) {
        for (const auto* id : {"firmware.snp", "firmware.snp_rmp", "firmware.snp_tcb"})
            checks.skip_snp(id, "CPU lacks SEV-SNP");
        return;
    }
    const auto status = snp_status(facts, report, checks);
    if (!status) {
        for (const auto* id : {"firmware.snp_rmp", "firmware.snp_tcb"})
            checks.skip_snp(id, "SNP firmware status unknown");
        return;
    }
    report.firmware.snp = SnpFirmwareReport{
        status->api_major,       status->api_minor,   firmware_state_from_raw(status->state),
        status->rmp_initialized, status->build,       status->guest_count,
        status->current_tcb,     status->reported_tcb};
    check_snp_firmware(*report.firmware.snp, checks);
    check_snp_rmp(*report.firmware.snp, checks);
    check_snp_tcb(*report.firmware.snp, checks);
}

} // namespace

void add_firmware_section(const HostFacts& facts, HostReport& report, CheckList& checks) {
    report.firmware.present = facts.dev_sev_present;
    if (known_non_amd(report)) {
        const std::string reason = "no AMD PSP firmware (vendor " + report.cpu.vendor + ")";
        for (const auto* id : {"firmware.device", "firmware.status", "firmware.sev_es_init",
                               "firmware.snp", "firmware.snp_rmp", "firmware.snp_tcb"})
            checks.skip(id, reason);
        return;
    }
    if (!check_device(facts, checks)) {
        for (const auto* id : {"firmware.status", "firmware.sev_es_init", "firmware.snp",
                               "firmware.snp_rmp", "firmware.snp_tcb"})
            checks.skip(id, "/dev/sev unavailable");
        return;
    }
    if (check_platform_status(facts, report, checks))
        check_es_initialized(report, checks);
    else
        checks.skip("firmware.sev_es_init", "firmware status unknown");
    check_snp(facts, report, checks);
}

} // namespace sevd::probe
