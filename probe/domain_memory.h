// A domain's <memory unit='..'>N</memory> in bytes, as libvirt defines the
// units (formatdomain "Memory Allocation"; no unit means KiB), for
// domain_facts. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sevd::probe {

// nullopt when the amount is not a number, the unit is unknown, or the
// product does not fit 64 bits: the caller counts that domain as unknown,
// never as 0.
std::optional<uint64_t> domain_memory_bytes(std::string_view unit, std::string_view amount);

} // namespace sevd::probe
