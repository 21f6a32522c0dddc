// One whole message per call on an AF_UNIX SOCK_SEQPACKET socket: the link
// between the daemon and its sevd-libvirt helper. The kernel keeps each
// datagram whole, so threads may send on one socket at once; one thread
// receives.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/unique_fd.h"

namespace sevd::libvirt_helper {

class MessageSocket {
public:
    MessageSocket() = default; // no socket
    explicit MessageSocket(UniqueFd fd) : fd_(std::move(fd)) {}

    // A connected pair, both ends close-on-exec. Throws std::system_error.
    static std::pair<MessageSocket, MessageSocket> pair();

    struct Received {
        std::string message;
        std::vector<UniqueFd> fds; // descriptors sent with it (SCM_RIGHTS)
    };

    // False when the peer is gone. `fds` travel with the message (SCM_RIGHTS;
    // the peer gets its own copies). Throws ProtocolError when the message is
    // longer than kMaxMessageBytes or carries more than kMaxFdsPerMessage,
    // std::system_error on other failures. Never raises SIGPIPE.
    bool send(std::string_view message, const std::vector<int>& fds = {});
    // Blocks for the next message and the descriptors sent with it (close-on-
    // exec); nullopt once the peer closed (or after shutdown()). Throws
    // ProtocolError for a datagram over kMaxMessageBytes or with more
    // descriptors than kMaxFdsPerMessage (it is discarded, its descriptors
    // closed), std::system_error on other failures.
    std::optional<Received> receive_with_fds();
    // receive_with_fds() for a side that is never sent descriptors (any are closed).
    std::optional<std::string> receive();
    // Ends both directions; a receive() blocked on another thread returns
    // nullopt, the peer's next receive() too.
    void shutdown() noexcept;

    int fd() const { return fd_.get(); }
    // Gives the descriptor up (to hand it to a child process).
    UniqueFd release() { return std::move(fd_); }

private:
    UniqueFd fd_;
};

} // namespace sevd::libvirt_helper
