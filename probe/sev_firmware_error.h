// PSP firmware status codes (SEV_RET_* in <linux/psp-sev.h>), decoded by value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sevd::probe {

// "INVALID_PLATFORM_STATE", "HWSEV_RET_PLATFORM", ...; "UNKNOWN" for values no
// firmware revision documents.
std::string_view sev_firmware_error_name(uint32_t code);

// "0x13 HWSEV_RET_PLATFORM" plus a hint of what it usually means, when known.
std::string describe_sev_firmware_error(uint32_t code);

} // namespace sevd::probe
