#include "libvirt_helper/protocol.h"

#include <array>

namespace sevd::libvirt_helper {
namespace {

using nlohmann::json;

constexpr std::array kErrorCodes = {
    launcher::ErrorCode::InvalidArgument,    launcher::ErrorCode::Unsupported,
    launcher::ErrorCode::Conflict,           launcher::ErrorCode::NoSlots,
    launcher::ErrorCode::InsufficientMemory, launcher::ErrorCode::Libvirt};

// Invalid UTF-8 (a libvirt error text in another locale) becomes U+FFFD
// instead of an exception.
std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json parse_object(std::string_view message) {
    json value = json::parse(message, nullptr, false);
    if (value.is_discarded())
        throw ProtocolError("a message from the other end is not JSON");
    if (!value.is_object())
        throw ProtocolError("a message from the other end is not a JSON object");
    return value;
}

const json& field(const json& object, std::string_view key) {
    if (!object.is_object())
        throw ProtocolError("expected an object holding '" + std::string(key) + "'");
    const auto it = object.find(key);
    if (it == object.end())
        throw ProtocolError("field '" + std::string(key) + "' is missing");
    return *it;
}

uint64_t unsigned_field(const json& object, std::string_view key) {
    const json& value = field(object, key);
    if (!value.is_number_unsigned())
        throw ProtocolError("field '" + std::string(key) + "' is not an unsigned number");
    return value.get<uint64_t>();
}

uint32_t uint32_field(const json& object, std::string_view key) {
    const uint64_t value = unsigned_field(object, key);
    if (value > UINT32_MAX)
        throw ProtocolError("field '" + std::string(key) + "' is out of range");
    return static_cast<uint32_t>(value);
}

const json& object_field(const json& object, std::string_view key) {
    const json& value = field(object, key);
    if (!value.is_object())
        throw ProtocolError("field '" + std::string(key) + "' is not an object");
    return value;
}

template <typename T>
json optional_to_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

template <typename T>
std::optional<T> optional_field(const json& object, std::string_view key) {
    const json& value = field(object, key);
    if (value.is_null())
        return std::nullopt;
    if (!value.is_number_unsigned() || value.get<uint64_t>() > UINT32_MAX)
        throw ProtocolError("field '" + std::string(key) + "' is not a small unsigned number");
    return static_cast<T>(value.get<uint64_t>());
}

launcher::ErrorCode error_code_from_name(const std::string& name) {
    for (auto code : kErrorCodes)
        if (launcher::error_name(code) == name)
            return code;
    throw ProtocolError("unknown error code '" + name + "'");
}

json domcaps_to_json(const probe::DomainCapsSev& sev) {
    return {{"element_present", sev.element_present},
            {"supported", sev.supported},
            {"cbitpos", optional_to_json(sev.cbitpos)},
            {"reduced_phys_bits", optional_to_json(sev.reduced_phys_bits)},
            {"max_guests", optional_to_json(sev.max_guests)},
            {"max_es_guests", optional_to_json(sev.max_es_guests)}};
}

probe::DomainCapsSev domcaps_from_json(const json& value) {
    probe::DomainCapsSev sev;
    sev.element_present = bool_field(value, "element_present");
    sev.supported = bool_field(value, "supported");
    sev.cbitpos = optional_field<unsigned>(value, "cbitpos");
    sev.reduced_phys_bits = optional_field<unsigned>(value, "reduced_phys_bits");
    sev.max_guests = optional_field<uint32_t>(value, "max_guests");
    sev.max_es_guests = optional_field<uint32_t>(value, "max_es_guests");
    return sev;
}

json running_to_json(const probe::RunningEncryptedGuests& running) {
    json guests = json::array();
    for (const auto& guest : running.guests)
        guests.push_back({{"name", guest.name},
                          {"pool", std::string(model_name(guest.pool))},
                          {"launched_by_sevd", guest.launched_by_sevd}});
    return {{"sev", running.sev}, {"sev_es", running.sev_es}, {"guests", std::move(guests)}};
}

probe::RunningEncryptedGuests running_from_json(const json& value) {
    probe::RunningEncryptedGuests running{
        uint32_field(value, "sev"), uint32_field(value, "sev_es"), {}};
    const json& guests = field(value, "guests");
    if (!guests.is_array())
        throw ProtocolError("field 'guests' is not an array");
    for (const auto& guest : guests) {
        const std::string pool = string_field(guest, "pool");
        const auto model = model_from_name(pool);
        if (!model)
            throw ProtocolError("unknown ASID pool '" + pool + "'");
        running.guests.push_back(
            {string_field(guest, "name"), *model, bool_field(guest, "launched_by_sevd")});
    }
    return running;
}

// A probe::Source<T> as {"value": T|null, "error": "..."}.
template <typename T, typename ToJson>
json source_to_json(const probe::Source<T>& source, ToJson to_json) {
    return {{"value", source.value ? to_json(*source.value) : json(nullptr)},
            {"error", source.error}};
}

template <typename T, typename FromJson>
probe::Source<T> source_from_json(const json& value, FromJson from_json) {
    probe::Source<T> source;
    const json& inner = field(value, "value");
    if (!inner.is_null())
        source.value = from_json(inner);
    source.error = string_field(value, "error");
    return source;
}

} // namespace

std::string string_field(const json& object, std::string_view key) {
    const json& value = field(object, key);
    if (!value.is_string())
        throw ProtocolError("field '" + std::string(key) + "' is not a string");
    return value.get<std::string>();
}

bool bool_field(const json& object, std::string_view key) {
    const json& value = field(object, key);
    if (!value.is_boolean())
        throw ProtocolError("field '" + std::string(key) + "' is not a boolean");
    return value.get<bool>();
}

std::string encode(const Request& request) {
    return dump({{"id", request.id}, {"method", request.method}, {"params", request.params}});
}

std::string encode(const Reply& reply) {
    json message = {
        {"id", reply.id}, {"generation", reply.generation}, {"connected", reply.connected}};
    if (reply.error)
        message["error"] = {
            {"code", std::string(launcher::error_name(reply.error->code))},
            {"message", reply.error->message},
            {"outcome_unknown", reply.error->outcome == launcher::Outcome::Unknown}};
    else
        message["result"] = reply.result;
    if (reply.more)
        message["more"] = true;
    return dump(message);
}

std::vector<Reply> split_reply(Reply reply, size_t max_bytes) {
    const auto list = reply.result.find("domains");
    if (reply.error || list == reply.result.end() || !list->is_array() ||
        encode(reply).size() <= max_bytes)
        return {std::move(reply)};
    json domains = std::move(*list);
    reply.result["domains"] = json::array();
    const size_t frame =
        encode(Reply{reply.id, reply.generation, reply.connected, reply.result, std::nullopt, true})
            .size();
    std::vector<Reply> parts;
    Reply part = reply;
    size_t size = frame;
    for (auto& domain : domains) {
        const size_t bytes = dump(domain).size() + 1; // and a comma
        if (frame + bytes > max_bytes)
            throw ProtocolError("a domain's record of " + std::to_string(bytes) +
                                " bytes does not fit a message");
        if (size + bytes > max_bytes) {
            part.more = true;
            parts.push_back(std::exchange(part, reply));
            size = frame;
        }
        part.result["domains"].push_back(std::move(domain));
        size += bytes;
    }
    parts.push_back(std::move(part));
    return parts;
}

void append_part(Reply& into, const Reply& part) {
    const auto list = part.result.find("domains");
    if (list == part.result.end() || !list->is_array())
        throw ProtocolError("a part of a reply carries no 'domains' list");
    auto& gathered = into.result["domains"];
    if (!gathered.is_array())
        throw ProtocolError("a part of a reply carries no 'domains' list");
    gathered.insert(gathered.end(), list->begin(), list->end());
    into.generation = part.generation;
    into.connected = part.connected;
    into.more = part.more;
}

std::string encode(const Event& event) {
    if (const auto* started = std::get_if<launcher::DomainStarted>(&event))
        return dump({{"event", event::kDomainStarted},
                     {"params", {{"name", started->name}, {"uuid", started->uuid}}}});
    if (const auto* stopped = std::get_if<launcher::DomainStopped>(&event))
        return dump(
            {{"event", event::kDomainStopped},
             {"params",
              {{"name", stopped->name}, {"uuid", stopped->uuid}, {"reason", stopped->reason}}}});
    return dump({{"event", event::kConnectionClosed},
                 {"params", {{"reason", std::get<ConnectionClosed>(event).reason}}}});
}

Request decode_request(std::string_view message) {
    const json value = parse_object(message);
    Request request;
    request.id = unsigned_field(value, "id");
    request.method = string_field(value, "method");
    request.params = object_field(value, "params");
    return request;
}

FromHelper decode_from_helper(std::string_view message) {
    const json value = parse_object(message);
    if (value.contains("event")) {
        const std::string name = string_field(value, "event");
        const json& params = object_field(value, "params");
        if (name == event::kDomainStopped)
            return Event{launcher::DomainStopped{string_field(params, "name"),
                                                 string_field(params, "uuid"),
                                                 string_field(params, "reason")}};
        if (name == event::kDomainStarted)
            return Event{launcher::DomainStarted{string_field(params, "name"),
                                                 string_field(params, "uuid")}};
        if (name == event::kConnectionClosed)
            return Event{ConnectionClosed{string_field(params, "reason")}};
        throw ProtocolError("unknown event '" + name + "'");
    }
    Reply reply;
    reply.id = unsigned_field(value, "id");
    reply.generation = unsigned_field(value, "generation");
    reply.connected = bool_field(value, "connected");
    reply.more = value.contains("more") && bool_field(value, "more");
    if (value.contains("error")) {
        const json& error = object_field(value, "error");
        reply.error = Failure{error_code_from_name(string_field(error, "code")),
                              string_field(error, "message"),
                              bool_field(error, "outcome_unknown") ? launcher::Outcome::Unknown
                                                                   : launcher::Outcome::Known};
        return reply;
    }
    reply.result = object_field(value, "result");
    return reply;
}

json facts_to_json(const probe::LibvirtFacts& facts) {
    return {{"uri", facts.uri},
            {"machine_type", facts.machine_type},
            {"version", facts.version ? json(*facts.version) : json(nullptr)},
            {"connected", facts.connected},
            {"connect_error", facts.connect_error},
            {"domcaps_source", facts.domcaps_source},
            {"domcaps", source_to_json(facts.domcaps, domcaps_to_json)},
            {"running", source_to_json(facts.running, running_to_json)}};
}

probe::LibvirtFacts facts_from_json(const json& value) {
    probe::LibvirtFacts facts;
    facts.uri = string_field(value, "uri");
    facts.machine_type = string_field(value, "machine_type");
    facts.version = optional_field<uint64_t>(value, "version");
    facts.connected = bool_field(value, "connected");
    facts.connect_error = string_field(value, "connect_error");
    facts.domcaps_source = string_field(value, "domcaps_source");
    facts.domcaps =
        source_from_json<probe::DomainCapsSev>(object_field(value, "domcaps"), domcaps_from_json);
    facts.running = source_from_json<probe::RunningEncryptedGuests>(object_field(value, "running"),
                                                                    running_from_json);
    return facts;
}

namespace {

json disks_to_json(const std::vector<launcher::RecordedDisk>& disks) {
    json out = json::array();
    for (const auto& disk : disks) {
        json chain = json::array();
        for (const auto& layer : disk.image.chain)
            chain.push_back({{"path", layer.path},
                             {"block", layer.kind == launcher::ImageKind::Block},
                             {"qcow2", layer.format == launcher::ImageFormat::Qcow2},
                             {"fd_group", layer.fd_group}});
        out.push_back({{"read_only", disk.read_only}, {"chain", std::move(chain)}});
    }
    return out;
}

std::vector<launcher::RecordedDisk> disks_from_json(const json& value) {
    if (!value.is_array())
        throw ProtocolError("field 'disks' is not an array");
    std::vector<launcher::RecordedDisk> disks;
    for (const auto& item : value) {
        launcher::RecordedDisk disk;
        disk.read_only = bool_field(item, "read_only");
        const json& chain = field(item, "chain");
        if (!chain.is_array())
            throw ProtocolError("field 'chain' is not an array");
        for (const auto& entry : chain)
            disk.image.chain.push_back({string_field(entry, "path"),
                                        bool_field(entry, "block") ? launcher::ImageKind::Block
                                                                   : launcher::ImageKind::File,
                                        bool_field(entry, "qcow2") ? launcher::ImageFormat::Qcow2
                                                                   : launcher::ImageFormat::Raw,
                                        string_field(entry, "fd_group")});
        disks.push_back(std::move(disk));
    }
    return disks;
}

} // namespace

json record_to_json(const launcher::DomainRecord& record) {
    return {{"name", record.name},
            {"uuid", record.uuid},
            {"pool", record.pool ? json(std::string(model_name(*record.pool))) : json(nullptr)},
            {"policy", record.policy},
            {"memory_mib", record.memory_mib},
            {"memory_known", record.memory_known},
            {"launched_by_sevd", record.launched_by_sevd},
            {"active", record.active},
            {"attestation_pending", record.attestation_pending},
            {"paused", record.paused},
            {"disks", disks_to_json(record.disks)}};
}

launcher::DomainRecord record_from_json(const json& value) {
    launcher::DomainRecord record;
    record.name = string_field(value, "name");
    record.uuid = string_field(value, "uuid");
    if (!field(value, "pool").is_null()) {
        const std::string pool = string_field(value, "pool");
        record.pool = model_from_name(pool);
        if (!record.pool)
            throw ProtocolError("unknown encryption model '" + pool + "'");
    }
    record.policy = uint32_field(value, "policy");
    record.memory_mib = unsigned_field(value, "memory_mib");
    record.memory_known = bool_field(value, "memory_known");
    record.launched_by_sevd = bool_field(value, "launched_by_sevd");
    record.active = bool_field(value, "active");
    record.attestation_pending = bool_field(value, "attestation_pending");
    record.paused = bool_field(value, "paused");
    record.disks = disks_from_json(field(value, "disks"));
    return record;
}

} // namespace sevd::libvirt_helper
