// The link's socket (libvirt_helper/message_socket.h) on a real socketpair:
// messages arrive whole and in order, the end of the peer is nullopt, an
// oversized message is refused on both sides, and shutdown() wakes a
// receiver blocked on another thread.
#include <future>
#include <sys/socket.h>
#include <thread>

#include <gtest/gtest.h>

#include "libvirt_helper/message_socket.h"
#include "libvirt_helper/protocol.h"

namespace sevd::libvirt_helper {
namespace {

TEST(MessageSocket, MessagesArriveWholeAndInOrder) {
    auto [a, b] = MessageSocket::pair();
    const std::string big(kMaxMessageBytes, 'x');
    ASSERT_TRUE(a.send("first"));
    ASSERT_TRUE(a.send(big));
    ASSERT_TRUE(a.send("third"));
    EXPECT_EQ(b.receive(), "first");
    EXPECT_EQ(b.receive(), big);
    EXPECT_EQ(b.receive(), "third");
}

TEST(MessageSocket, PeerClosedIsNulloptAndSendSaysFalseWithoutSigpipe) {
    auto [a, b] = MessageSocket::pair();
    { auto gone = std::move(b); } // closes b
    EXPECT_EQ(a.receive(), std::nullopt);
    EXPECT_FALSE(a.send("anyone?")); // EPIPE, no SIGPIPE (the test process would die)
}

TEST(MessageSocket, OversizedMessagesAreRefusedOnBothSides) {
    auto [a, b] = MessageSocket::pair();
    EXPECT_THROW(a.send(std::string(kMaxMessageBytes + 1, 'x')), ProtocolError);
    // A peer that ignores the limit: the receiver drops the datagram and says so.
    int buffer = 4 * 1024 * 1024;
    setsockopt(a.fd(), SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    const std::string huge(kMaxMessageBytes + 100, 'y');
    if (::send(a.fd(), huge.data(), huge.size(), MSG_NOSIGNAL) < 0)
        GTEST_SKIP() << "the kernel refuses a datagram this large here (wmem_max)";
    ASSERT_TRUE(a.send("after"));
    EXPECT_THROW(b.receive(), ProtocolError);
    EXPECT_EQ(b.receive(), "after");
}

TEST(MessageSocket, ShutdownWakesABlockedReceiverAndThePeer) {
    auto [a, b] = MessageSocket::pair();
    auto blocked = std::async(std::launch::async, [&a = a] { return a.receive(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    a.shutdown();
    ASSERT_EQ(blocked.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(blocked.get(), std::nullopt);
    EXPECT_EQ(b.receive(), std::nullopt);
}

} // namespace
} // namespace sevd::libvirt_helper
