// Fuzzes the daemon's side of the sevd-libvirt link (libvirt_helper/
// protocol.h): whatever a broken helper sends, decoding never crashes and
// nothing but ProtocolError escapes; a message that decodes, encoded again,
// decodes to the same values; the payload readers (facts, domain records)
// hold to the same rules on every result object.
#include <cstdint>
#include <string>

#include "libvirt_helper/protocol.h"
#include "tests/fuzz/fuzz_check.h"

using namespace sevd;
using namespace sevd::libvirt_helper;

namespace {

void check_payloads(const nlohmann::json& result) {
    try {
        const auto facts = facts_from_json(result);
        fuzz::check(facts_from_json(facts_to_json(facts)) == facts, "facts round trip");
    } catch (const ProtocolError&) {
    }
    try {
        const auto record = record_from_json(result);
        const auto again = record_from_json(record_to_json(record));
        fuzz::check(again.name == record.name && again.uuid == record.uuid &&
                        again.pool == record.pool && again.policy == record.policy &&
                        again.memory_mib == record.memory_mib &&
                        again.launched_by_sevd == record.launched_by_sevd,
                    "record round trip");
    } catch (const ProtocolError&) {
    }
}

void check_reply(const Reply& reply) {
    const auto again = std::get<Reply>(decode_from_helper(encode(reply)));
    fuzz::check(again.id == reply.id && again.generation == reply.generation &&
                    again.connected == reply.connected,
                "reply header round trip");
    fuzz::check(again.error.has_value() == reply.error.has_value(), "reply kind round trip");
    if (reply.error) {
        fuzz::check(again.error->code == reply.error->code, "error code round trip");
        return;
    }
    fuzz::check(again.result == reply.result, "result round trip");
    check_payloads(reply.result);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(fuzz::as_text(data, size));
    try {
        const FromHelper message = decode_from_helper(text);
        if (const auto* reply = std::get_if<Reply>(&message))
            check_reply(*reply);
        else
            (void)encode(std::get<Event>(message));
    } catch (const ProtocolError&) {
    }
    try {
        const Request request = decode_request(text);
        fuzz::check(decode_request(encode(request)).id == request.id, "request round trip");
    } catch (const ProtocolError&) {
    }
    return 0;
}
