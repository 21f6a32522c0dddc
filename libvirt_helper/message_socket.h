// One whole message per call on an AF_UNIX SOCK_SEQPACKET socket: the link
// between the daemon and its sevd-libvirt helper. The kernel keeps each
// datagram whole, so threads may send on one socket at once; one thread
// receives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "probe/unique_fd.h"

namespace sevd::libvirt_helper {

class MessageSocket {
public:
    MessageSocket() = default; // no socket
    explicit MessageSocket(probe::UniqueFd fd) : fd_(std::move(fd)) {}

    // A connected pair, both ends close-on-exec. Throws std::system_error.
    static std::pair<MessageSocket, MessageSocket> pair();

    // False when the peer is gone. Throws ProtocolError when the message is
    // longer than kMaxMessageBytes, std::system_error on other failures.
    // Never raises SIGPIPE.
    bool send(std::string_view message);
    // Blocks for the next message; nullopt once the peer closed (or after
    // shutdown()). Throws ProtocolError for a datagram over kMaxMessageBytes
    // (it is discarded), std::system_error on other failures.
    std::optional<std::string> receive();
    // Ends both directions; a receive() blocked on another thread returns
    // nullopt, the peer's next receive() too.
    void shutdown() noexcept;

    int fd() const { return fd_.get(); }
    // Gives the descriptor up (to hand it to a child process).
    probe::UniqueFd release() { return std::move(fd_); }

private:
    probe::UniqueFd fd_;
};

} // namespace sevd::libvirt_helper
