// Live queries of the PSP firmware through /dev/sev (the ccp driver): opened
// read-only (enough for status commands; the kernel checks no capability),
// one SEV_ISSUE_CMD ioctl per status command. Changes nothing on the host.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "probe/sev_status_record.h"

namespace sevd::probe {

namespace sev {
// <linux/psp-sev.h>: _IOWR('S', 0x0, struct sev_issue_cmd). Defined here
// because Debian 12's header predates the SNP commands.
inline constexpr unsigned long kIssueCmdIoctl = 0xC0105300;
inline constexpr uint32_t kCmdPlatformStatus = 1;    // SEV_PLATFORM_STATUS
inline constexpr uint32_t kCmdSnpPlatformStatus = 9; // SNP_PLATFORM_STATUS (kernel >= 6.11)
inline constexpr const char* kDevicePath = "/dev/sev";
} // namespace sev

struct SevDeviceReading {
    SevStatusRecord platform;           // SEV_PLATFORM_STATUS (or why it failed)
    std::optional<SevStatusRecord> snp; // SNP_PLATFORM_STATUS, when asked for
};

// Opens `device` and issues SEV_PLATFORM_STATUS, and SNP_PLATFORM_STATUS only
// when `query_snp` (callers pass kvm_amd.sev_snp: on 2025-era kernels the SNP
// command initializes SNP firmware when it is not yet, which a probe must not do).
SevDeviceReading read_sev_device(const std::filesystem::path& device, bool query_snp);

} // namespace sevd::probe
