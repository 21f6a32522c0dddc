#include "dbus/host_properties.h"

#include <algorithm>
#include <stdexcept>

#include "probe/report_json.h"

namespace sevd::dbus {
namespace {

using nlohmann::json;

UintPair slot_pair(const probe::SlotCount& slots) {
    return {slots.total, slots.used};
}

bool is_wide(std::string_view key) {
    return std::find(kWideKeys.begin(), kWideKeys.end(), key) != kWideKeys.end();
}

sdbus::Variant number_variant(const std::string& key, const json& value) {
    if (!value.is_number_unsigned())
        throw std::invalid_argument("key '" + key + "' is not an unsigned number");
    const auto number = value.get<uint64_t>();
    if (is_wide(key))
        return sdbus::Variant(number);
    if (number > UINT32_MAX)
        throw std::invalid_argument("key '" + key + "' does not fit in a D-Bus u");
    return sdbus::Variant(static_cast<uint32_t>(number));
}

// The members of `object` named in `keys`, in that order.
template <size_t N>
json pick(const json& object, const std::array<std::string_view, N>& keys) {
    json out = json::object();
    for (const auto key : keys)
        if (const auto it = object.find(key); it != object.end())
            out[std::string(key)] = *it;
    return out;
}

// Appends `name` when the two values differ.
class ChangeList {
public:
    template <typename T>
    void compare(const char* name, const T& before, const T& after) {
        if (!(before == after))
            names_.emplace_back(name);
    }
    std::vector<std::string> take() { return std::move(names_); }

private:
    std::vector<std::string> names_;
};

} // namespace

HostProperties host_properties(const probe::HostReport& report) {
    HostProperties p;
    p.ready = report.ready;
    for (auto model : report.models) {
        p.models.emplace_back(model_name(model));
        p.traits.emplace_back(model_trait(model));
    }
    p.sev_slots = slot_pair(report.sev_slots);
    p.sev_es_slots = slot_pair(report.sev_es_slots);
    p.sev_snp_slots = slot_pair(report.sev_snp_slots);
    p.hypervisor = report.cpu.hypervisor;
    // The sections are parts of the report's own JSON objects: one naming for both.
    const auto whole = probe::report_to_json(report);
    p.cpu = pick(whole["cpu"], kCpuKeys);
    p.kernel = pick(whole["kernel"], kKernelKeys);
    p.firmware = pick(whole["firmware"], kFirmwareKeys);
    p.libvirt = pick(whole["libvirt"], kLibvirtKeys);
    p.mem_total = report.mem_total_bytes;
    return p;
}

std::vector<std::string> changed_host_properties(const HostProperties& a, const HostProperties& b) {
    ChangeList c;
    c.compare("Ready", a.ready, b.ready);
    c.compare("Models", a.models, b.models);
    c.compare("Traits", a.traits, b.traits);
    c.compare("SevSlots", a.sev_slots, b.sev_slots);
    c.compare("SevEsSlots", a.sev_es_slots, b.sev_es_slots);
    c.compare("SevSnpSlots", a.sev_snp_slots, b.sev_snp_slots);
    c.compare("Hypervisor", a.hypervisor, b.hypervisor);
    c.compare("Cpu", a.cpu, b.cpu);
    c.compare("Kernel", a.kernel, b.kernel);
    c.compare("Firmware", a.firmware, b.firmware);
    c.compare("Libvirt", a.libvirt, b.libvirt);
    c.compare("MemTotal", a.mem_total, b.mem_total);
    return c.take();
}

Section section_to_dbus(const json& object) {
    Section section;
    for (const auto& [key, value] : object.items()) {
        if (value.is_null())
            continue; // unknown: the key is left out
        if (value.is_string())
            section.emplace(key, sdbus::Variant(value.get<std::string>()));
        else if (value.is_boolean())
            section.emplace(key, sdbus::Variant(value.get<bool>()));
        else if (value.is_object())
            section.emplace(key, sdbus::Variant(section_to_dbus(value)));
        else
            section.emplace(key, number_variant(key, value));
    }
    return section;
}

json section_from_dbus(const Section& section) {
    json object = json::object();
    for (const auto& [key, value] : section) {
        const std::string type = value.peekValueType();
        if (type == "s")
            object[key] = value.get<std::string>();
        else if (type == "b")
            object[key] = value.get<bool>();
        else if (type == "u")
            object[key] = value.get<uint32_t>();
        else if (type == "t")
            object[key] = value.get<uint64_t>();
        else if (type == "a{sv}")
            object[key] = section_from_dbus(value.get<Section>());
        else
            throw std::invalid_argument("key '" + key + "' has unexpected type " + type);
    }
    return object;
}

} // namespace sevd::dbus
