#include "config/ini_lines.h"

#include "config/config.h"

namespace sevd::config {
namespace {

constexpr std::string_view kBlank = " \t\r";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_comment(std::string_view line) {
    return line.starts_with('#') || line.starts_with(';');
}

// Cuts " value   # comment" (the text after '=') to "value". A marker starts a
// comment right after '=' or after a blank; inside a word ("a#b") it is kept.
std::string_view value_without_comment(std::string_view after_equals) {
    for (size_t i = 0; i < after_equals.size(); ++i) {
        const bool marker = after_equals[i] == '#' || after_equals[i] == ';';
        const bool starts_word =
            i == 0 || after_equals[i - 1] == ' ' || after_equals[i - 1] == '\t';
        if (marker && starts_word)
            return trim_blanks(after_equals.substr(0, i));
    }
    return trim_blanks(after_equals);
}

[[noreturn]] void fail(const std::string& origin, int line, const std::string& what) {
    throw ConfigError(origin + ":" + std::to_string(line) + ": " + what);
}

} // namespace

std::string_view trim_blanks(std::string_view s) {
    const auto first = s.find_first_not_of(kBlank);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

std::vector<IniEntry> read_ini_entries(std::string_view text, const std::string& origin) {
    if (text.starts_with(kUtf8Bom))
        text.remove_prefix(kUtf8Bom.size());
    std::vector<IniEntry> entries;
    std::string section;
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        const auto line = trim_blanks(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || is_comment(line))
            continue;
        if (line.starts_with('[')) {
            const auto close = line.find(']');
            if (close == std::string_view::npos || !trim_blanks(line.substr(close + 1)).empty())
                fail(origin, line_number, "malformed section header; write it as [name]");
            section = std::string(trim_blanks(line.substr(1, close - 1)));
            if (section.empty())
                fail(origin, line_number, "empty section name; write it as [name]");
            continue;
        }
        const auto equals = line.find('=');
        if (equals == std::string_view::npos)
            fail(origin, line_number,
                 "expected \"key = value\" or \"[section]\", got \"" + std::string(line) + "\"");
        const auto key = trim_blanks(line.substr(0, equals));
        if (key.empty())
            fail(origin, line_number, "missing key before '='");
        if (section.empty())
            fail(origin, line_number,
                 "key \"" + std::string(key) +
                     "\" outside any section; put it under its [section]");
        entries.push_back({section, std::string(key),
                           std::string(value_without_comment(line.substr(equals + 1))),
                           line_number});
    }
    return entries;
}

} // namespace sevd::config
