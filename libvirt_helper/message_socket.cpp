#include "libvirt_helper/message_socket.h"

#include <cerrno>
#include <cstring>
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
template <typename T>
std::optional<T> end_or_throw() {
    if (peer_gone(errno))
        return std::nullopt;
    throw_errno("receiving from the sevd-libvirt link");
}

std::vector<UniqueFd> take_rights(msghdr& header) {
    std::vector<UniqueFd> fds;
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fds.emplace_back(fd);
        }
    }
    return fds;
}

} // namespace

std::pair<MessageSocket, MessageSocket> MessageSocket::pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        throw_errno("socketpair(AF_UNIX, SOCK_SEQPACKET)");
    MessageSocket first{UniqueFd(fds[0])}, second{UniqueFd(fds[1])};
    // The kernel doubles the value (bookkeeping) after capping it at
    // net.core.wmem_max (208 KiB by default): 384 KiB, room for a whole
    // kMaxMessageBytes and the small messages queued behind it.
    const int buffer = static_cast<int>(kMaxMessageBytes * 3 / 4);
    for (const int fd : {fds[0], fds[1]})
        if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer) != 0)
            throw_errno("setsockopt(SO_SNDBUF) on the sevd-libvirt link");
    return {std::move(first), std::move(second)};
}

bool MessageSocket::send(std::string_view message, const std::vector<int>& fds) {
    if (message.size() > kMaxMessageBytes)
        throw ProtocolError("a message of " + std::to_string(message.size()) +
                            " bytes is over the link's limit of " +
                            std::to_string(kMaxMessageBytes));
    if (fds.size() > kMaxFdsPerMessage)
        throw ProtocolError("a message with " + std::to_string(fds.size()) +
                            " descriptors is over the link's limit of " +
                            std::to_string(kMaxFdsPerMessage));
    iovec data{const_cast<char*>(message.data()), message.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)] = {};
    msghdr header{};
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    if (!fds.empty()) {
        header.msg_control = control;
        header.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* rights = CMSG_FIRSTHDR(&header);
        rights->cmsg_level = SOL_SOCKET;
        rights->cmsg_type = SCM_RIGHTS;
        rights->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(rights), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        if (::sendmsg(fd_.get(), &header, MSG_NOSIGNAL) >= 0)
            return true;
        if (errno == EINTR)
            continue;
        if (peer_gone(errno))
            return false;
        throw_errno("sending to the sevd-libvirt link");
    }
}

std::optional<MessageSocket::Received> MessageSocket::receive_with_fds() {
    // MSG_TRUNC with MSG_PEEK: the length of the next datagram, whatever the
    // buffer, so the buffer can be exactly that long.
    const ssize_t length = recv_retrying(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC);
    if (length < 0)
        return end_or_throw<Received>();
    if (length == 0)
        return std::nullopt; // end of stream (sevd never sends empty messages)
    Received received;
    received.message.assign(static_cast<size_t>(length), '\0');
    iovec data{received.message.data(), received.message.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)] = {};
    msghdr header{};
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    ssize_t got = -1;
    do
        got = ::recvmsg(fd_.get(), &header, MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return end_or_throw<Received>();
    received.fds = take_rights(header); // owned from here on, whatever follows
    if (static_cast<size_t>(length) > kMaxMessageBytes)
        throw ProtocolError("a message of " + std::to_string(length) +
                            " bytes is over the link's limit");
    if ((header.msg_flags & MSG_CTRUNC) != 0)
        throw ProtocolError("a message carried more than " + std::to_string(kMaxFdsPerMessage) +
                            " descriptors");
    received.message.resize(static_cast<size_t>(got));
    return received;
}

std::optional<std::string> MessageSocket::receive() {
    auto received = receive_with_fds();
    if (!received)
        return std::nullopt;
    return std::move(received->message);
}

void MessageSocket::shutdown() noexcept {
    if (fd_)
        ::shutdown(fd_.get(), SHUT_RDWR);
}

} // namespace sevd::libvirt_helper
