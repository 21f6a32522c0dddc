// Text checks for values that travel into domain XML and back to D-Bus
// callers in error messages: both need valid UTF-8, and XML 1.0 forbids
// control characters and U+FFFE/U+FFFF. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sevd::launcher {

// Valid UTF-8 (no overlongs, no surrogates) without C0 controls, DEL,
// U+FFFE or U+FFFF: safe as XML text and as a D-Bus string.
bool is_safe_text(std::string_view text);

// For error messages: at most `max_bytes` bytes, cut on a character
// boundary ("..." appended), every byte that is not part of safe text
// replaced by '?'. Always valid UTF-8.
std::string printable(std::string_view text, size_t max_bytes = 64);

} // namespace sevd::launcher
