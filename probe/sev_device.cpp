#include "probe/sev_device.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>

#include "common/unique_fd.h"
#include "probe/sev_platform_status.h"

namespace sevd::probe {
namespace {

// struct sev_issue_cmd from <linux/psp-sev.h>: {u32 cmd; u64 data; u32 error;} __packed.
struct __attribute__((packed)) SevIssueCmd {
    uint32_t cmd;
    uint64_t data;
    uint32_t error;
};
// The ioctl number encodes the argument size (bits 29:16 of 0xC0105300 = 0x10).
static_assert(sizeof(SevIssueCmd) == ((sev::kIssueCmdIoctl >> 16) & 0x3FFF));

template <size_t N>
SevStatusRecord issue(int fd, uint32_t command) {
    std::array<uint8_t, N> reply{};
    SevIssueCmd cmd{command, reinterpret_cast<uintptr_t>(reply.data()), 0};
    SevStatusRecord record;
    if (::ioctl(fd, sev::kIssueCmdIoctl, &cmd) != 0) {
        record.kind = SevStatusRecord::Kind::IoctlError;
        record.error_number = errno;
        record.firmware_error = cmd.error;
        return record;
    }
    record.reply.assign(reply.begin(), reply.end());
    return record;
}

} // namespace

SevDeviceReading read_sev_device(const std::filesystem::path& device, bool query_snp) {
    SevDeviceReading reading;
    UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        reading.platform.kind = SevStatusRecord::Kind::OpenError;
        reading.platform.error_number = errno;
        return reading;
    }
    reading.platform = issue<sev::kPlatformStatusSize>(fd.get(), sev::kCmdPlatformStatus);
    if (query_snp)
        reading.snp = issue<sev::kSnpPlatformStatusSize>(fd.get(), sev::kCmdSnpPlatformStatus);
    return reading;
}

} // namespace sevd::probe
