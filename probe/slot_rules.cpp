#include "probe/slot_rules.h"

#include <algorithm>

namespace sevd::probe {

SlotCount compute_slots(const SlotInputs& in) {
    SlotCount slots;
    if (in.kernel_enabled) {
        slots.total = in.cpuid_range;
        for (const auto& cap : {in.misc_capacity, in.libvirt_max, in.config_cap})
            if (cap)
                slots.total = std::min(slots.total, *cap);
    }
    slots.used_by_kernel = in.misc_current.has_value();
    if (in.misc_current)
        slots.used = *in.misc_current;
    else if (in.libvirt_running)
        slots.used = *in.libvirt_running;
    return slots;
}

std::string explain_slots(const SlotInputs& in, const SlotCount& slots) {
    std::string text = "CPUID " + std::to_string(in.cpuid_range);
    if (!in.kernel_enabled)
        text += ", kernel parameter off";
    if (in.misc_capacity)
        text += ", misc.capacity " + std::to_string(*in.misc_capacity);
    if (in.libvirt_max)
        text += ", libvirt " + std::to_string(*in.libvirt_max);
    if (in.config_cap)
        text += ", config cap " + std::to_string(*in.config_cap);
    text +=
        " -> " + std::to_string(slots.total) + " total; " + std::to_string(slots.used) + " used";
    if (in.misc_current)
        text += " (misc.current)";
    else if (in.libvirt_running)
        text += " (running libvirt guests)";
    else
        text += " (no usage source)";
    return text;
}

} // namespace sevd::probe
