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

namespace {

// All of `s` as an unsigned number in `base`; nullopt on anything else.
template <typename Unsigned>
std::optional<Unsigned> parse_whole(std::string_view s, int base) {
    if (s.empty())
        return std::nullopt;
    Unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

} // namespace

std::optional<uint64_t> parse_u64(std::string_view s) {
    return parse_whole<uint64_t>(s, 10);
}

std::optional<uint32_t> parse_hex_u32(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X"))
        s.remove_prefix(2);
    return parse_whole<uint32_t>(s, 16);
}

std::optional<Utf8Char> decode_utf8_char(std::string_view s, size_t at) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[at + i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80)
        return Utf8Char{lead, 1};
    size_t length = 0;
    uint32_t code = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        code = lead & 0x07u;
    } else {
        return std::nullopt;
    }
    if (at + length > s.size())
        return std::nullopt;
    for (size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80)
            return std::nullopt;
        code = (code << 6) | (byte(i) & 0x3Fu);
    }
    constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return std::nullopt;
    return Utf8Char{code, length};
}

std::string printable_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto c = decode_utf8_char(s, i);
        if (!c || (c->code < 0x20 && c->code != '\t') || c->code == 0x7F) {
            out.push_back('?');
            ++i;
            continue;
        }
        out.append(s.substr(i, c->length));
        i += c->length;
    }
    return out;
}

} // namespace sevd::probe
