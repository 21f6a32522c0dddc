#include "launcher/utf8_text.h"

#include <cstdint>

namespace sevd::launcher {
namespace {

// Length of the safe character starting at text[at], or 0 when the bytes
// there are not one.
size_t safe_char_length(std::string_view text, size_t at) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[at + i]); };
    const uint8_t lead = byte(0);
    if (lead < 0x80)
        return lead >= 0x20 && lead != 0x7f ? 1 : 0;
    size_t length = 0;
    uint32_t code = 0;
    if ((lead & 0xe0) == 0xc0) {
        length = 2;
        code = lead & 0x1fu;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3;
        code = lead & 0x0fu;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4;
        code = lead & 0x07u;
    } else {
        return 0;
    }
    if (at + length > text.size())
        return 0;
    for (size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (byte(i) & 0x3fu);
    }
    constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    const bool overlong = code < kMinimum[length];
    const bool surrogate = code >= 0xd800 && code <= 0xdfff;
    const bool non_xml = code == 0xfffe || code == 0xffff || code > 0x10ffff;
    return overlong || surrogate || non_xml ? 0 : length;
}

} // namespace

bool is_safe_text(std::string_view text) {
    for (size_t at = 0; at < text.size();) {
        const auto length = safe_char_length(text, at);
        if (length == 0)
            return false;
        at += length;
    }
    return true;
}

std::string printable(std::string_view text, size_t max_bytes) {
    std::string out;
    for (size_t at = 0; at < text.size();) {
        const auto length = safe_char_length(text, at);
        const auto take = length == 0 ? 1 : length;
        if (out.size() + take > max_bytes)
            return out + "...";
        if (length == 0)
            out += '?';
        else
            out.append(text.substr(at, length));
        at += take;
    }
    return out;
}

} // namespace sevd::launcher
