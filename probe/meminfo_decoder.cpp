#include "probe/meminfo_decoder.h"

#include "common/text.h"

namespace sevd::probe {
namespace {

constexpr uint64_t kBytesPerKiB = 1024;

// Value of one "Key: N kB" line in bytes; /proc/meminfo always says kB, a line
// without a unit (e.g. HugePages_Total) is a count, not memory, and is refused.
std::optional<uint64_t> line_bytes(std::string_view value) {
    value = trim(value);
    const auto space = value.find(' ');
    if (space == std::string_view::npos)
        return std::nullopt;
    if (trim(value.substr(space)) != "kB")
        return std::nullopt;
    const auto kib = parse_u64(value.substr(0, space));
    if (!kib || *kib > UINT64_MAX / kBytesPerKiB)
        return std::nullopt;
    return *kib * kBytesPerKiB;
}

} // namespace

MemInfo decode_meminfo(std::string_view text) {
    MemInfo info;
    for_each_line(text, [&info](std::string_view line) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return;
        const auto key = line.substr(0, colon);
        const auto value = line.substr(colon + 1);
        if (key == "MemTotal")
            info.total_bytes = line_bytes(value);
        else if (key == "MemAvailable")
            info.available_bytes = line_bytes(value);
    });
    return info;
}

std::optional<uint64_t> parse_meminfo_total_bytes(std::string_view text) {
    return decode_meminfo(text).total_bytes;
}

} // namespace sevd::probe
