// The link's messages (libvirt_helper/protocol.h): every kind survives the
// round trip with its values, and a message that is not what the other end
// sends is a ProtocolError naming what is wrong, never a crash.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {
namespace {

using launcher::ErrorCode;
using nlohmann::json;

TEST(HelperProtocol, RequestRoundTrip) {
    const Request sent{42, std::string(method::kDefineAndStart), {{"xml", "<domain/>"}}};
    const Request got = decode_request(encode(sent));
    EXPECT_EQ(got.id, 42u);
    EXPECT_EQ(got.method, "DefineAndStart");
    EXPECT_EQ(string_field(got.params, "xml"), "<domain/>");
}

TEST(HelperProtocol, ReplyWithResultRoundTrip) {
    Reply sent;
    sent.id = 7;
    sent.generation = 3;
    sent.connected = true;
    sent.result = {{"uuid", "0b7e-..."}};
    const auto got = std::get<Reply>(decode_from_helper(encode(sent)));
    EXPECT_EQ(got.id, 7u);
    EXPECT_EQ(got.generation, 3u);
    EXPECT_TRUE(got.connected);
    EXPECT_FALSE(got.error);
    EXPECT_EQ(string_field(got.result, "uuid"), "0b7e-...");
}

TEST(HelperProtocol, EveryErrorCodeSurvivesTheLink) {
    for (auto code : {ErrorCode::InvalidArgument, ErrorCode::Unsupported, ErrorCode::Conflict,
                      ErrorCode::NoSlots, ErrorCode::InsufficientMemory, ErrorCode::Libvirt}) {
        Reply sent;
        sent.id = 1;
        sent.error = Failure{code, "what to change"};
        const auto got = std::get<Reply>(decode_from_helper(encode(sent)));
        ASSERT_TRUE(got.error);
        EXPECT_EQ(got.error->code, code);
        EXPECT_EQ(got.error->message, "what to change");
    }
}

// Issue 13 (2): "the helper may have done it" crosses the link.
TEST(HelperProtocol, UnknownOutcomeSurvivesTheLink) {
    Reply sent;
    sent.id = 2;
    sent.error = Failure{ErrorCode::Libvirt, "connection lost during define+start",
                         launcher::Outcome::Unknown};
    const auto got = std::get<Reply>(decode_from_helper(encode(sent)));
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->outcome, launcher::Outcome::Unknown);
    sent.error->outcome = launcher::Outcome::Known;
    EXPECT_EQ(std::get<Reply>(decode_from_helper(encode(sent))).error->outcome,
              launcher::Outcome::Known);
}

TEST(HelperProtocol, EventsRoundTrip) {
    const Event stopped = launcher::DomainStopped{"g1", "uuid-1", "crashed"};
    const auto got = std::get<Event>(decode_from_helper(encode(stopped)));
    EXPECT_EQ(std::get<launcher::DomainStopped>(got), std::get<launcher::DomainStopped>(stopped));

    const Event started = launcher::DomainStarted{"g2", "uuid-2"};
    const auto got_started = std::get<Event>(decode_from_helper(encode(started)));
    EXPECT_EQ(std::get<launcher::DomainStarted>(got_started),
              std::get<launcher::DomainStarted>(started));

    const Event closed = ConnectionClosed{"libvirtd closed it"};
    const auto got_closed = std::get<Event>(decode_from_helper(encode(closed)));
    EXPECT_EQ(std::get<ConnectionClosed>(got_closed).reason, "libvirtd closed it");
}

TEST(HelperProtocol, FactsRoundTripWithEveryOptionalSetAndUnset) {
    probe::LibvirtFacts facts;
    facts.uri = "qemu:///system";
    facts.connected = true;
    facts.domcaps_source = "qemu:///system (q35)";
    probe::DomainCapsSev sev;
    sev.element_present = true;
    sev.supported = true;
    sev.cbitpos = 47;
    sev.reduced_phys_bits = 1;
    sev.max_guests = 410; // max_es_guests left unset: older libvirt
    facts.domcaps.value = sev;
    facts.running.error = "listing running domains: broken";
    EXPECT_EQ(facts_from_json(facts_to_json(facts)), facts);
    facts.running.value = probe::RunningEncryptedGuests{
        1, 1, {{"other-tool", EncryptionModel::SevEs}, {"b", EncryptionModel::Sev}}};
    EXPECT_EQ(facts_from_json(facts_to_json(facts)), facts);

    probe::LibvirtFacts unreachable;
    unreachable.uri = "qemu+unix:///system?socket=/x";
    unreachable.connect_error = "Failed to connect socket";
    EXPECT_EQ(facts_from_json(facts_to_json(unreachable)), unreachable);
}

TEST(HelperProtocol, RecordRoundTrip) {
    launcher::DomainRecord record;
    record.name = "guest";
    record.uuid = "u";
    record.pool = EncryptionModel::SevEs;
    record.policy = 0x37;
    record.memory_mib = 2048;
    record.launched_by_sevd = true;
    record.attestation_pending = true;
    record.paused = true;
    const auto got = record_from_json(record_to_json(record));
    EXPECT_TRUE(got.attestation_pending);
    EXPECT_TRUE(got.paused);
    EXPECT_EQ(got.name, "guest");
    EXPECT_EQ(got.pool, EncryptionModel::SevEs);
    EXPECT_EQ(got.policy, 0x37u);
    EXPECT_EQ(got.memory_mib, 2048u);
    EXPECT_TRUE(got.launched_by_sevd);

    record.memory_known = false; // <memory> unreadable: unknown, not 0
    EXPECT_FALSE(record_from_json(record_to_json(record)).memory_known);

    record.pool.reset(); // an unencrypted domain
    EXPECT_FALSE(record_from_json(record_to_json(record)).pool);
}

TEST(HelperProtocol, RecordCarriesStateAndDiskChains) {
    launcher::DomainRecord record;
    record.name = "guest";
    record.active = true;
    using launcher::ImageFormat;
    using launcher::ImageKind;
    record.disks = {
        {launcher::ResolvedImage{
             {{"/images/top.qcow2", ImageKind::File, ImageFormat::Qcow2, "disk-0"},
              {"/images/base.raw", ImageKind::File, ImageFormat::Raw, "disk-1"}}},
         false},
        {launcher::ResolvedImage{{{"/dev/vg/seed", ImageKind::Block, ImageFormat::Raw, ""}}},
         true}};
    const auto got = record_from_json(record_to_json(record));
    EXPECT_TRUE(got.active);
    EXPECT_EQ(got.disks, record.disks);
}

TEST(HelperProtocol, InvalidUtf8InALibvirtMessageIsReplacedNotThrown) {
    Reply sent;
    sent.id = 1;
    sent.error = Failure{ErrorCode::Libvirt, "erreur \xff\xfe"};
    const auto got = std::get<Reply>(decode_from_helper(encode(sent)));
    EXPECT_EQ(got.error->message, "erreur \xEF\xBF\xBD\xEF\xBF\xBD");
}

// Each malformed message and the words its ProtocolError must contain.
struct Malformed {
    const char* message;
    const char* says;
};

TEST(HelperProtocol, MalformedMessagesFromTheHelperAreProtocolErrors) {
    const Malformed cases[] = {
        {"", "not JSON"},
        {"[1, 2]", "not a JSON object"},
        {R"({"generation": 1, "result": {}})", "'id' is missing"},
        {R"({"id": -1, "generation": 1, "result": {}})", "'id' is not an unsigned"},
        {R"({"id": 1, "result": {}})", "'generation' is missing"},
        {R"({"id": 1, "generation": 1, "result": {}})", "'connected' is missing"},
        {R"({"id": 1, "generation": 1, "connected": 1, "result": {}})",
         "'connected' is not a boolean"},
        {R"({"id": 1, "generation": 1, "connected": true, "result": []})",
         "'result' is not an object"},
        {R"({"id": 1, "generation": 1, "connected": true,
             "error": {"code": "org.sevd.Error.Nope", "message": ""}})",
         "unknown error code"},
        {R"({"event": "Exploded", "params": {}})", "unknown event 'Exploded'"},
        {R"({"event": "DomainStopped", "params": {"name": "a", "uuid": 5, "reason": ""}})",
         "'uuid' is not a string"},
    };
    for (const auto& c : cases) {
        try {
            (void)decode_from_helper(c.message);
            ADD_FAILURE() << "accepted: " << c.message;
        } catch (const ProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos)
                << c.message << " -> " << e.what();
        }
    }
}

TEST(HelperProtocol, MalformedRequestsAndPayloadsAreProtocolErrors) {
    EXPECT_THROW(decode_request(R"({"id": 1, "method": "X"})"), ProtocolError);
    EXPECT_THROW(decode_request(R"({"id": 1, "method": 3, "params": {}})"), ProtocolError);
    EXPECT_THROW(record_from_json({{"name", "a"},
                                   {"uuid", "u"},
                                   {"pool", "amd-sev-snp"},
                                   {"policy", 1},
                                   {"memory_mib", 1},
                                   {"launched_by_sevd", false}}),
                 ProtocolError);
    json facts = facts_to_json(probe::LibvirtFacts{});
    facts["running"]["value"] = {{"sev", 1}, {"sev_es", 5'000'000'000ULL}};
    EXPECT_THROW(facts_from_json(facts), ProtocolError);
    EXPECT_THROW(bool_field(json::object(), "found"), ProtocolError);
}

// 1,006 domains (a Genoa host's ASIDs) with long names: far above one
// message. The parts each fit, all but the last say "more", and gathered they
// are the list in order.
TEST(HelperProtocol, ALongListComesInPartsThatEachFitAndGatherInOrder) {
    Reply reply;
    reply.id = 9;
    reply.generation = 4;
    reply.connected = true;
    reply.result["domains"] = json::array();
    for (int i = 0; i < 1006; ++i) {
        launcher::DomainRecord record;
        record.name = "guest-" + std::to_string(i) + std::string(200, 'x');
        record.uuid = "0b7e5a8c-1d2e-4f3a-9b8c-" + std::to_string(100000000000 + i);
        record.pool = i % 2 == 0 ? EncryptionModel::Sev : EncryptionModel::SevEs;
        record.memory_mib = 1024 + static_cast<uint64_t>(i);
        reply.result["domains"].push_back(record_to_json(record));
    }
    ASSERT_GT(encode(reply).size(), kMaxMessageBytes);

    const auto parts = split_reply(reply, kMaxMessageBytes);
    ASSERT_GT(parts.size(), 1u);
    std::optional<Reply> gathered;
    for (size_t i = 0; i < parts.size(); ++i) {
        const auto message = encode(parts[i]);
        EXPECT_LE(message.size(), kMaxMessageBytes) << "part " << i;
        const auto got = std::get<Reply>(decode_from_helper(message));
        EXPECT_EQ(got.id, 9u);
        EXPECT_EQ(got.more, i + 1 < parts.size()) << "part " << i;
        if (!gathered)
            gathered = got;
        else
            append_part(*gathered, got);
    }
    EXPECT_EQ(gathered->result["domains"], reply.result["domains"]);
}

TEST(HelperProtocol, AReplyThatFitsOrCarriesNoListIsOneMessage) {
    Reply small;
    small.result["domains"] = json::array({json{{"name", "a"}}});
    EXPECT_EQ(split_reply(small, kMaxMessageBytes).size(), 1u);
    EXPECT_FALSE(split_reply(small, kMaxMessageBytes).front().more);
    Reply failed;
    failed.error = Failure{ErrorCode::Libvirt, std::string(200, 'e')};
    EXPECT_EQ(split_reply(failed, 64).size(), 1u);
    Reply huge;
    huge.result["domains"] = json::array({json{{"name", std::string(500, 'n')}}});
    EXPECT_THROW(split_reply(huge, 256), ProtocolError);
}

} // namespace
} // namespace sevd::libvirt_helper
