// Property checks inside fuzz targets: a broken property is a crash, so
// libFuzzer keeps the input and the replay driver fails the test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sevd::fuzz {

inline void check(bool holds, const char* property) {
    if (holds)
        return;
    std::fprintf(stderr, "fuzz property violated: %s\n", property);
    std::abort();
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Decodes well-formed UTF-8 (no overlong forms, no surrogates, at most
// U+10FFFF), calling on_code_point(cp) for each character; false when `text`
// is not UTF-8 or on_code_point returns false.
template <typename Fn>
bool for_each_code_point(std::string_view text, Fn&& on_code_point) {
    constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        size_t extra = 0;
        uint32_t cp = lead;
        if (lead >= 0xC2 && lead <= 0xDF) {
            extra = 1;
            cp = lead & 0x1Fu;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            extra = 2;
            cp = lead & 0x0Fu;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            extra = 3;
            cp = lead & 0x07u;
        } else if (lead >= 0x80) {
            return false;
        }
        if (text.size() - i <= extra)
            return false;
        for (size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0u) != 0x80u)
                return false;
            cp = (cp << 6) | (next & 0x3Fu);
        }
        if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        if (!on_code_point(cp))
            return false;
        i += extra + 1;
    }
    return true;
}

// What JSON output (nlohmann's dump()) and D-Bus strings require.
inline bool is_utf8(std::string_view text) {
    return for_each_code_point(text, [](uint32_t) { return true; });
}

} // namespace sevd::fuzz
