// Byte units, one definition for every folder, and the checked conversion
// from the MiB counts of configuration and requests to bytes.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <unistd.h>

namespace sevd {

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

// mib * kMiB; nullopt when it does not fit 64 bits.
constexpr std::optional<uint64_t> mib_to_bytes(uint64_t mib) {
    if (mib > std::numeric_limits<uint64_t>::max() / kMiB)
        return std::nullopt;
    return mib * kMiB;
}

// The kernel's page size: memory limits are stored as page counts.
inline uint64_t host_page_size() {
    const long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<uint64_t>(size) : 4 * kKiB;
}

} // namespace sevd
