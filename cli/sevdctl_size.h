// The one parser of a memory size on sevdctl's command line: a whole number
// of MiB, or a whole number with a binary unit (M/MiB, G/GiB, T/TiB, any
// case). Decimal units (MB, GB) are refused rather than guessed. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sevd::cli {

// nullopt with `error` saying what is wrong and what is accepted.
std::optional<uint64_t> parse_size_mib(std::string_view text, std::string& error);

} // namespace sevd::cli
