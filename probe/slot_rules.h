// Slot arithmetic (pure, DESIGN.md): total = the CPUID range capped by every
// other source present, 0 when the kernel parameter is off; used from
// misc.current when present, else from running libvirt guests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "probe/host_report.h"

namespace sevd::probe {

struct SlotInputs {
    uint32_t cpuid_range = 0;
    bool kernel_enabled = false;
    std::optional<uint32_t> misc_capacity;
    std::optional<uint32_t> libvirt_max;
    std::optional<uint32_t> config_cap;
    std::optional<uint32_t> misc_current;
    std::optional<uint32_t> libvirt_running;
};

SlotCount compute_slots(const SlotInputs& in);

// "CPUID 509, misc.capacity 509, libvirt 509 -> 509; used 2 (misc.current)"
std::string explain_slots(const SlotInputs& in, const SlotCount& slots);

} // namespace sevd::probe
