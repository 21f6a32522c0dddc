// Small pure helpers shared by the text decoders (no I/O, no allocation).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::probe {

// Strips spaces, tabs, CR and LF at both ends.
std::string_view trim(std::string_view s);

// Unsigned decimal; nullopt on empty input, any non-digit, or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);

// Unsigned hexadecimal with optional "0x"/"0X" prefix; nullopt on bad input
// or a value beyond 32 bits.
std::optional<uint32_t> parse_hex_u32(std::string_view s);

// One well-formed UTF-8 character: its code point and its length in bytes.
struct Utf8Char {
    uint32_t code = 0;
    size_t length = 0; // 1..4
};

// The character encoded at s[at] (at < s.size()), or nullopt when the bytes
// there are not well-formed UTF-8 (bad lead byte, truncated, overlong,
// surrogate, beyond U+10FFFF). Control characters are well-formed.
std::optional<Utf8Char> decode_utf8_char(std::string_view s, size_t at);

// Text safe to show and to put in JSON: valid UTF-8 sequences are kept,
// every invalid byte and control character (except tab) becomes '?'. Input
// files and CPUID bytes can hold anything; reports must not.
std::string printable_text(std::string_view s);

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

} // namespace sevd::probe
