#include "libvirt_helper/message_socket.h"

#include <cerrno>
#include <sys/socket.h>
#include <system_error>

#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {
namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool peer_gone(int error) {
    return error == EPIPE || error == ECONNRESET || error == ENOTCONN;
}

ssize_t recv_retrying(int fd, void* buffer, size_t length, int flags) {
    for (;;) {
        const ssize_t got = ::recv(fd, buffer, length, flags);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

// After a failed recv(): the end of the link when the peer is gone.
std::optional<std::string> end_or_throw() {
    if (peer_gone(errno))
        return std::nullopt;
    throw_errno("receiving from the sevd-libvirt link");
}

} // namespace

std::pair<MessageSocket, MessageSocket> MessageSocket::pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        throw_errno("socketpair(AF_UNIX, SOCK_SEQPACKET)");
    MessageSocket first{probe::UniqueFd(fds[0])}, second{probe::UniqueFd(fds[1])};
    // The kernel doubles the value (bookkeeping) after capping it at
    // net.core.wmem_max (208 KiB by default): 384 KiB, room for a whole
    // kMaxMessageBytes and the small messages queued behind it.
    const int buffer = static_cast<int>(kMaxMessageBytes * 3 / 4);
    for (const int fd : {fds[0], fds[1]})
        if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer) != 0)
            throw_errno("setsockopt(SO_SNDBUF) on the sevd-libvirt link");
    return {std::move(first), std::move(second)};
}

bool MessageSocket::send(std::string_view message) {
    if (message.size() > kMaxMessageBytes)
        throw ProtocolError("a message of " + std::to_string(message.size()) +
                            " bytes is over the link's limit of " +
                            std::to_string(kMaxMessageBytes));
    for (;;) {
        if (::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL) >= 0)
            return true;
        if (errno == EINTR)
            continue;
        if (peer_gone(errno))
            return false;
        throw_errno("sending to the sevd-libvirt link");
    }
}

std::optional<std::string> MessageSocket::receive() {
    // MSG_TRUNC with MSG_PEEK: the length of the next datagram, whatever the
    // buffer, so the buffer can be exactly that long.
    const ssize_t length = recv_retrying(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC);
    if (length < 0)
        return end_or_throw();
    if (length == 0)
        return std::nullopt; // end of stream (sevd never sends empty messages)
    if (static_cast<size_t>(length) > kMaxMessageBytes) {
        (void)recv_retrying(fd_.get(), nullptr, 0, MSG_TRUNC); // drop it
        throw ProtocolError("a message of " + std::to_string(length) +
                            " bytes is over the link's limit");
    }
    std::string message(static_cast<size_t>(length), '\0');
    const ssize_t got = recv_retrying(fd_.get(), message.data(), message.size(), 0);
    if (got < 0)
        return end_or_throw();
    message.resize(static_cast<size_t>(got));
    return message;
}

void MessageSocket::shutdown() noexcept {
    if (fd_)
        ::shutdown(fd_.get(), SHUT_RDWR);
}

} // namespace sevd::libvirt_helper
