#include "common/text.h"

#include <algorithm>
#include <charconv>

namespace sevd {

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

namespace {

bool shown(const Utf8Char& c, const ShowPolicy& policy) {
    if (c.code == '\t')
        return policy.keep_tab;
    if (c.code < 0x20 || c.code == 0x7F)
        return false;
    return !policy.xml_safe || (c.code != 0xFFFE && c.code != 0xFFFF);
}

std::string replacement(unsigned char byte, ShowPolicy::Replace replace) {
    if (replace == ShowPolicy::Replace::Question)
        return "?";
    constexpr char kHex[] = "0123456789ABCDEF";
    return {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
}

// Callers' values in error messages travel in domain XML and D-Bus strings.
constexpr ShowPolicy kMessagePolicy{.keep_tab = false, .xml_safe = true};

} // namespace

std::string printable_text(std::string_view s, const ShowPolicy& policy) {
    std::string out;
    out.reserve(std::min(s.size(), policy.max_bytes));
    for (size_t i = 0; i < s.size();) {
        const auto c = decode_utf8_char(s, i);
        const bool show = c && shown(*c, policy);
        const size_t take = show ? c->length : 1;
        std::string_view piece = s.substr(i, take);
        std::string replaced;
        if (!show) {
            replaced = replacement(static_cast<unsigned char>(s[i]), policy.replace);
            piece = replaced;
        }
        if (out.size() + piece.size() > policy.max_bytes)
            return out + "...";
        out.append(piece);
        i += take;
    }
    return out;
}

std::string printable(std::string_view s, size_t max_bytes) {
    ShowPolicy policy = kMessagePolicy;
    policy.max_bytes = max_bytes;
    return printable_text(s, policy);
}

bool is_safe_text(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = decode_utf8_char(s, i);
        if (!c || !shown(*c, kMessagePolicy))
            return false;
        i += c->length;
    }
    return true;
}

} // namespace sevd
