// A small INI reader that keeps line numbers (Debian's inih is built without
// INI_HANDLER_LINENO and only knows ';' inline comments, while sevd.conf uses
// '#'). Pure: text in, entries out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sevd::config {

struct IniEntry {
    std::string section;
    std::string key;
    std::string value;
    int line = 0; // 1-based
};

// Syntax: "[section]", "key = value", blank lines, full-line comments starting
// with '#' or ';', and inline comments starting with whitespace + '#' or ';'.
// Throws ConfigError naming origin and line for anything else (a line without
// '=', an empty key or section name, a key before the first section).
std::vector<IniEntry> read_ini_entries(std::string_view text, const std::string& origin);

// `s` without the blanks (space, tab, CR) at either end, as INI values are read.
std::string_view trim_blanks(std::string_view s);

} // namespace sevd::config
