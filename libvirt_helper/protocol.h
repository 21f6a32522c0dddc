// The messages between the daemon and its sevd-libvirt helper: one JSON object
// per SOCK_SEQPACKET message. Pure: encoding and decoding, no I/O.
//
//   request  {"id": 7, "method": "DefineAndStart", "params": {"xml": "..."}}
//   reply    {"id": 7, "generation": 2, "connected": true, "result": {"uuid": "..."}}
//            {"id": 7, "generation": 2, "connected": false,
//             "error": {"code": "org.sevd.Error.Libvirt", "message": "..."}}
//            {"id": 7, ..., "error": {..., "outcome_unknown": true}}  (it may have run)
//            {"id": 7, ..., "more": true, "result": {"domains": [...]}}  (a part: a list
//             too long for one message comes in parts, the last without "more")
//   event    {"event": "DomainStopped", "params": {"name": .., "uuid": .., "reason": ..}}
//            {"event": "DomainStarted", "params": {"name": .., "uuid": ..}}
//            {"event": "ConnectionClosed", "params": {"reason": ..}}
//
// Every reply carries the generation of the helper's libvirt connection (0
// before the first), so the daemon sees a reconnect on any call, and whether
// the helper holds a live connection after the call ("connected"): one that
// holds none has nothing to watch, and the daemon lets it exit. Requests and
// replies are matched by id; the helper may answer out of order (it serves
// the facts reading and the domain calls on separate threads). Both ends are
// sevd, but the daemon still treats a message it cannot decode as a broken
// helper (ProtocolError), never as a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/domain_record.h"
#include "launcher/launch_error.h"
#include "launcher/libvirt_events.h"
#include "probe/host_facts.h"

namespace sevd::libvirt_helper {

// Request methods (daemon -> helper); params and result of each beside it.
namespace method {
// {uri, machine_type, live_domcaps} -> LibvirtFacts
inline constexpr std::string_view kReadFacts = "ReadFacts";
inline constexpr std::string_view kEnsureConnected = "EnsureConnected"; // {} -> {}
// {xml, fd_groups: [name...]} + one descriptor per name, in order -> {uuid}
inline constexpr std::string_view kDefineAndStart = "DefineAndStart";
// {xml, fd_groups} + descriptors, for attestation -> {uuid}; the guest stays paused.
inline constexpr std::string_view kDefineAndStartPaused = "DefineAndStartPaused";
inline constexpr std::string_view kDestroyAndUndefine = "DestroyAndUndefine"; // {uuid} -> {found}
inline constexpr std::string_view kDomainExists = "DomainExists";             // {name} -> {exists}
inline constexpr std::string_view kFindDomain = "FindDomain"; // {name} -> {domain: record|null}
inline constexpr std::string_view kListEncryptedRunning = "ListEncryptedRunning"; // {} -> {domains}
inline constexpr std::string_view kListSevdDomains = "ListSevdDomains";           // {} -> {domains}
// {name, fd_groups: [name...]} + one descriptor per name, in order -> {}
inline constexpr std::string_view kStart = "Start";
inline constexpr std::string_view kShutdown = "Shutdown"; // {name} -> {}
// Attestation (helper_attestation.h).
inline constexpr std::string_view kSevCertificates = "SevCertificates"; // {} -> {pdh, cert_chain}
inline constexpr std::string_view kLaunchMeasurement = "LaunchMeasurement"; // {name} -> measurement
inline constexpr std::string_view kInjectLaunchSecret =
    "InjectLaunchSecret";                             // {name, header, secret, gpa} -> {}
inline constexpr std::string_view kResume = "Resume"; // {name} -> {}
} // namespace method

// Event names (helper -> daemon).
namespace event {
inline constexpr std::string_view kDomainStopped = "DomainStopped";
inline constexpr std::string_view kConnectionClosed = "ConnectionClosed";
inline constexpr std::string_view kDomainStarted = "DomainStarted";
} // namespace event

// A seqpacket datagram above this is refused by the sender. The largest real
// message, the running encrypted domains with their disk chains, is a few
// hundred bytes per domain, and there are at most as many as ASIDs: 1,006 on
// an EPYC 9004 host. AF_UNIX caps a datagram at the sender's socket buffer,
// so MessageSocket::pair() raises it to hold this.
inline constexpr size_t kMaxMessageBytes = 256 * 1024;
// Descriptors one message may carry: an image chain's files plus a seed.
inline constexpr size_t kMaxFdsPerMessage = 16;

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Request {
    uint64_t id = 0;
    std::string method;
    nlohmann::json params = nlohmann::json::object();
};

struct Failure {
    launcher::ErrorCode code = launcher::ErrorCode::Libvirt;
    std::string message;
    launcher::Outcome outcome = launcher::Outcome::Known; // "outcome_unknown": true
};

struct Reply {
    uint64_t id = 0;
    uint64_t generation = 0;
    bool connected = false;                           // the helper holds a live libvirt connection
    nlohmann::json result = nlohmann::json::object(); // when !error
    std::optional<Failure> error;
    bool more = false; // a part: further parts of this answer follow
};

struct ConnectionClosed {
    std::string reason;
};

using Event = std::variant<launcher::DomainStopped, ConnectionClosed, launcher::DomainStarted>;
using FromHelper = std::variant<Reply, Event>;

std::string encode(const Request& request);
std::string encode(const Reply& reply);
std::string encode(const Event& event);

// `reply` as messages of at most `max_bytes` each: one, or, when its result's
// "domains" list does not fit, parts each carrying a slice of the list (all
// but the last with `more`). Throws ProtocolError when one domain alone does
// not fit.
std::vector<Reply> split_reply(Reply reply, size_t max_bytes);
// Appends a part's "domains" to those gathered so far in `into` (the first
// part), which takes the part's connection state and `more`.
void append_part(Reply& into, const Reply& part);

// Throw ProtocolError naming what is wrong.
Request decode_request(std::string_view message);
FromHelper decode_from_helper(std::string_view message);

// The payloads that are more than a string or a flag. from_* throw
// ProtocolError.
nlohmann::json facts_to_json(const probe::LibvirtFacts& facts);
probe::LibvirtFacts facts_from_json(const nlohmann::json& json);
nlohmann::json record_to_json(const launcher::DomainRecord& record);
launcher::DomainRecord record_from_json(const nlohmann::json& json);

// Typed access to a field of a params or result object; throws ProtocolError
// when it is missing or of another type.
std::string string_field(const nlohmann::json& object, std::string_view key);
bool bool_field(const nlohmann::json& object, std::string_view key);

} // namespace sevd::libvirt_helper
