#include "cli/sevdctl_size.h"

#include <array>
#include <cctype>
#include <charconv>

namespace sevd::cli {
namespace {

struct Unit {
    std::string_view name;
    uint64_t mib;
};

constexpr std::array<Unit, 7> kUnits = {{{"", 1},
                                         {"m", 1},
                                         {"mib", 1},
                                         {"g", 1024},
                                         {"gib", 1024},
                                         {"t", 1024 * 1024},
                                         {"tib", 1024 * 1024}}};

constexpr const char* kAccepted =
    "give MiB as a whole number (2048) or with a binary unit: M/MiB, G/GiB, T/TiB (e.g. 2G)";

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

std::optional<uint64_t> parse_size_mib(std::string_view text, std::string& error) {
    uint64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number, 10);
    if (end == text.data() || ec == std::errc::invalid_argument) {
        error = "'" + std::string(text) + "' is not a size; " + kAccepted;
        return std::nullopt;
    }
    const auto unit =
        lower(std::string_view(end, static_cast<size_t>(text.data() + text.size() - end)));
    for (const auto& u : kUnits) {
        if (u.name != unit)
            continue;
        if (ec == std::errc::result_out_of_range || number > UINT64_MAX / u.mib) {
            error = "'" + std::string(text) + "' is too large";
            return std::nullopt;
        }
        return number * u.mib;
    }
    error = "'" + std::string(text) + "' has an unknown unit; " + kAccepted;
    return std::nullopt;
}

} // namespace sevd::cli
