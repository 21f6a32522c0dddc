#include "probe/sev_platform_status.h"

namespace sevd::probe {
namespace {

uint32_t le32(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
           static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

uint64_t le64(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint64_t>(le32(b, at)) | static_cast<uint64_t>(le32(b, at + 4)) << 32;
}

} // namespace

std::optional<SevPlatformStatus> decode_sev_platform_status(std::span<const uint8_t> reply) {
    if (reply.size() != sev::kPlatformStatusSize)
        return std::nullopt;
    // struct sev_user_data_status (packed): u8 api_major, u8 api_minor, u8 state,
    // u32 flags, u8 build, u32 guest_count.
    SevPlatformStatus s;
    s.api_major = reply[0];
    s.api_minor = reply[1];
    s.state = reply[2];
    s.flags = le32(reply, 3);
    s.build = reply[7];
    s.guest_count = le32(reply, 8);
    return s;
}

std::optional<SnpPlatformStatus> decode_snp_platform_status(std::span<const uint8_t> reply) {
    if (reply.size() != sev::kSnpPlatformStatusSize)
        return std::nullopt;
    // struct sev_user_data_snp_status (packed): u8 api_major, u8 api_minor, u8 state,
    // u8 is_rmp_initialized:1, u32 build_id, u32 feature bits, u32 guest_count,
    // u64 current_tcb_version, u64 reported_tcb_version.
    SnpPlatformStatus s;
    s.api_major = reply[0];
    s.api_minor = reply[1];
    s.state = reply[2];
    s.rmp_initialized = (reply[3] & sev::kSnpRmpInitializedBit) != 0;
    s.build = le32(reply, 4);
    s.feature_mask = le32(reply, 8);
    s.guest_count = le32(reply, 12);
    s.current_tcb = le64(reply, 16);
    s.reported_tcb = le64(reply, 24);
    return s;
}

std::optional<FirmwareState> firmware_state_from_raw(uint8_t raw) {
    switch (raw) {
    case 0:
        return FirmwareState::Uninit;
    case 1:
        return FirmwareState::Init;
    case 2:
        return FirmwareState::Working;
    default:
        return std::nullopt;
    }
}

} // namespace sevd::probe
