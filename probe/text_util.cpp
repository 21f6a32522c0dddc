#include "probe/text_util.h"

#include <charconv>

namespace sevd::probe {

std::string_view trim(std::string_view s) {
    constexpr std::string_view kBlank = " \t\r\n";
    const auto first = s.find_first_not_of(kBlank);
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(kBlank);
    return s.substr(first, last - first + 1);
}

std::optional<uint64_t> parse_u64(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 10);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

std::optional<uint32_t> parse_hex_u32(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X"))
        s.remove_prefix(2);
    if (s.empty())
        return std::nullopt;
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

} // namespace sevd::probe
