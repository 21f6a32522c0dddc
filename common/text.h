// Text every folder reads or shows: trimming, line splitting, unsigned
// number parsing, one UTF-8 decoder and one policy for which characters are
// shown. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sevd {

// Strips spaces, tabs, CR and LF at both ends.
std::string_view trim(std::string_view s);

// Unsigned decimal; nullopt on empty input, any non-digit, or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);

// Unsigned hexadecimal with optional "0x"/"0X" prefix; nullopt on bad input
// or a value beyond 32 bits.
std::optional<uint32_t> parse_hex_u32(std::string_view s);

// Calls fn(line) for each line of text, without the line terminator.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        fn(text.substr(0, end));
        if (end == std::string_view::npos)
            return;
        text.remove_prefix(end + 1);
    }
}

// One well-formed UTF-8 character: its code point and its length in bytes.
struct Utf8Char {
    uint32_t code = 0;
    size_t length = 0; // 1..4
};

// The character encoded at s[at] (at < s.size()), or nullopt when the bytes
// there are not well-formed UTF-8 (RFC 3629: bad lead byte, truncated,
// overlong, surrogate, beyond U+10FFFF). Control characters are well-formed.
std::optional<Utf8Char> decode_utf8_char(std::string_view s, size_t at);

// Which characters printable_text() shows as they are: well-formed UTF-8
// other than C0 controls and DEL, and (options) tab or XML 1.0's
// non-characters. Every other byte is replaced, one replacement per byte.
struct ShowPolicy {
    enum class Replace { Question, HexEscape }; // '?' or "\xHH"
    Replace replace = Replace::Question;
    bool keep_tab = true;
    bool xml_safe = false; // U+FFFE and U+FFFF are replaced too
    // Longer output is cut on a character boundary and "..." appended.
    size_t max_bytes = std::numeric_limits<size_t>::max();
};

// Text safe to show, to log and to put in JSON or a D-Bus string: always
// valid UTF-8. Files, CPUID bytes and callers' arguments can hold anything.
std::string printable_text(std::string_view s, const ShowPolicy& policy = {});

// A caller's value quoted in an error message: XML- and D-Bus-safe, '?' for
// what is not shown, at most `max_bytes` before "...".
std::string printable(std::string_view s, size_t max_bytes = 64);

// True when printable() would show all of `s` unchanged (no control, no
// invalid byte, no XML non-character): safe as XML text and as a D-Bus string.
bool is_safe_text(std::string_view s);

} // namespace sevd
