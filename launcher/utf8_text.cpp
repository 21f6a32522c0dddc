#include "launcher/utf8_text.h"

#include "probe/text_util.h"

namespace sevd::launcher {
namespace {

// Length of the safe character starting at text[at], or 0 when the bytes
// there are not one (see is_safe_text).
size_t safe_char_length(std::string_view text, size_t at) {
    const auto c = probe::decode_utf8_char(text, at);
    if (!c)
        return 0;
    const bool control = c->code < 0x20 || c->code == 0x7f;
    const bool non_xml = c->code == 0xfffe || c->code == 0xffff;
    return control || non_xml ? 0 : c->length;
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
