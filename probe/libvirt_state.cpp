#include "probe/libvirt_state.h"

#include <nlohmann/json.hpp>

namespace sevd::probe {
namespace {

using nlohmann::json;

// Throws std::invalid_argument naming the key when it is missing or mistyped.
const json& member(const json& object, const char* key, json::value_t type) {
    const auto it = object.find(key);
    if (it == object.end())
        throw std::invalid_argument(std::string("no \"") + key + "\"");
    const bool number = type == json::value_t::number_unsigned &&
                        it->type() == json::value_t::number_integer && it->get<int64_t>() >= 0;
    if (it->type() != type && !number)
        throw std::invalid_argument(std::string("\"") + key + "\" has the wrong type");
    return *it;
}

RunningEncryptedGuests running_from(const json& list) {
    RunningEncryptedGuests running;
    for (const auto& entry : list) {
        if (!entry.is_object())
            throw std::invalid_argument("a running_encrypted entry is not an object");
        const auto name = member(entry, "name", json::value_t::string).get<std::string>();
        const auto pool = member(entry, "pool", json::value_t::string).get<std::string>();
        const auto model = model_from_name(pool);
        if (!model)
            throw std::invalid_argument("unknown pool \"" + pool + "\" of guest " + name);
        const auto held = asid_pool(*model);
        ++(held == EncryptionModel::Sev ? running.sev : running.sev_es);
        // Absent (older snapshots): not known to be sevd's, so never sevd's to stop.
        const auto mark = entry.find("launched_by_sevd");
        const bool sevd = mark != entry.end() && mark->is_boolean() && mark->get<bool>();
        running.guests.push_back({name, held, sevd});
    }
    return running;
}

} // namespace

std::string format_libvirt_state(const LibvirtFacts& facts) {
    json guests = json::array();
    if (facts.running.value)
        for (const auto& guest : facts.running.value->guests)
            guests.push_back({{"name", guest.name},
                              {"pool", model_name(guest.pool)},
                              {"launched_by_sevd", guest.launched_by_sevd}});
    return json{{"uri", facts.uri},
                {"connected", facts.connected},
                {"error", facts.connect_error},
                {"version", facts.version ? json(*facts.version) : json(nullptr)},
                {"running_encrypted", guests},
                {"running_error", facts.running.error},
                {"domcaps_error", facts.domcaps.error}}
               .dump(2) +
           "\n";
}

LibvirtStateParse parse_libvirt_state(std::string_view text) {
    LibvirtStateParse out;
    try {
        const auto doc = json::parse(text);
        if (!doc.is_object())
            throw std::invalid_argument("not a JSON object");
        LibvirtFacts facts;
        facts.uri = member(doc, "uri", json::value_t::string).get<std::string>();
        facts.connected = member(doc, "connected", json::value_t::boolean).get<bool>();
        facts.connect_error = member(doc, "error", json::value_t::string).get<std::string>();
        const auto version = doc.find("version");
        if (version != doc.end() && !version->is_null())
            facts.version = member(doc, "version", json::value_t::number_unsigned).get<uint64_t>();
        const auto running_error = doc.find("running_error");
        if (running_error != doc.end() && running_error->is_string())
            facts.running.error = running_error->get<std::string>();
        if (facts.connected && facts.running.error.empty())
            facts.running.value =
                running_from(member(doc, "running_encrypted", json::value_t::array));
        const auto domcaps_error = doc.find("domcaps_error");
        if (domcaps_error != doc.end() && domcaps_error->is_string())
            out.domcaps_error = domcaps_error->get<std::string>();
        out.facts = std::move(facts);
    } catch (const json::exception& e) {
        out.error = std::string("not valid JSON: ") + e.what();
    } catch (const std::invalid_argument& e) {
        out.error = e.what();
    }
    return out;
}

} // namespace sevd::probe
