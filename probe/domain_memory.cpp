#include "probe/domain_memory.h"

#include <array>

#include "common/size_units.h"
#include "common/text.h"

namespace sevd::probe {
namespace {

struct Unit {
    std::string_view name;
    uint64_t bytes;
};

constexpr uint64_t kTiB = kGiB * 1024;
constexpr uint64_t kPiB = kTiB * 1024;
constexpr uint64_t kEiB = kPiB * 1024;
constexpr uint64_t kKB = 1000;
constexpr uint64_t kMB = kKB * 1000;
constexpr uint64_t kGB = kMB * 1000;
constexpr uint64_t kTB = kGB * 1000;
constexpr uint64_t kPB = kTB * 1000;
constexpr uint64_t kEB = kPB * 1000;

constexpr std::array<Unit, 22> kUnits{
    {{"", kKiB}, // libvirt's default
     {"b", 1},      {"bytes", 1}, {"k", kKiB}, {"KiB", kKiB}, {"KB", kKB}, {"M", kMiB},
     {"MiB", kMiB}, {"MB", kMB},  {"G", kGiB}, {"GiB", kGiB}, {"GB", kGB}, {"T", kTiB},
     {"TiB", kTiB}, {"TB", kTB},  {"P", kPiB}, {"PiB", kPiB}, {"PB", kPB}, {"E", kEiB},
     {"EiB", kEiB}, {"EB", kEB},  {"K", kKiB}}};

} // namespace

std::optional<uint64_t> domain_memory_bytes(std::string_view unit, std::string_view amount) {
    const auto number = parse_u64(trim(amount));
    if (!number)
        return std::nullopt;
    for (const auto& u : kUnits) {
        if (u.name != unit)
            continue;
        if (*number > UINT64_MAX / u.bytes)
            return std::nullopt;
        return *number * u.bytes;
    }
    return std::nullopt;
}

} // namespace sevd::probe
