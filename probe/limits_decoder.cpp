#include "probe/limits_decoder.h"

#include "common/text.h"

namespace sevd::probe {
namespace {

constexpr std::string_view kMemlockRow = "Max locked memory";

struct LimitValue {
    bool ok = false;
    std::optional<uint64_t> bytes;
};

LimitValue parse_limit(std::string_view token) {
    if (token == "unlimited")
        return {true, std::nullopt};
    const auto value = parse_u64(token);
    return value ? LimitValue{true, value} : LimitValue{};
}

} // namespace

std::optional<MemlockLimit> decode_memlock_limit(std::string_view limits_text) {
    std::optional<MemlockLimit> result;
    for_each_line(limits_text, [&result](std::string_view line) {
        if (result || !line.starts_with(kMemlockRow))
            return;
        // "Max locked memory         8388608              8388608              bytes"
        auto rest = trim(line.substr(kMemlockRow.size()));
        const auto first_end = rest.find_first_of(" \t");
        if (first_end == std::string_view::npos)
            return;
        const auto soft = parse_limit(rest.substr(0, first_end));
        rest = trim(rest.substr(first_end));
        const auto hard = parse_limit(rest.substr(0, rest.find_first_of(" \t")));
        if (soft.ok && hard.ok)
            result = MemlockLimit{soft.bytes, hard.bytes};
    });
    return result;
}

} // namespace sevd::probe
