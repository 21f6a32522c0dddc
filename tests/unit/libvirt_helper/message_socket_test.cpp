// The link's socket (libvirt_helper/message_socket.h) on a real socketpair:
// messages arrive whole and in order, the end of the peer is nullopt, an
// oversized message is refused on both sides, and shutdown() wakes a
// receiver blocked on another thread.
#include <fcntl.h>
#include <future>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

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

// The image descriptors of a launch: the receiver's copies are the same open
// files (same inode, same offset), close-on-exec.
TEST(MessageSocket, DescriptorsTravelWithTheirMessage) {
    auto [a, b] = MessageSocket::pair();
    char path[] = "/tmp/sevd-fd-XXXXXX";
    const int file = mkstemp(path);
    ASSERT_GE(file, 0);
    unlink(path);
    ASSERT_EQ(write(file, "abc", 3), 3);
    ASSERT_TRUE(a.send("with fds", {file, file}));
    ASSERT_TRUE(a.send("without"));
    auto got = b.receive_with_fds();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->message, "with fds");
    ASSERT_EQ(got->fds.size(), 2u);
    struct stat sent {
    }, received{};
    fstat(file, &sent);
    fstat(got->fds[0].get(), &received);
    EXPECT_EQ(sent.st_ino, received.st_ino);
    EXPECT_NE(got->fds[0].get(), file);
    EXPECT_EQ(lseek(got->fds[1].get(), 0, SEEK_CUR), 3); // one open file description
    EXPECT_NE(fcntl(got->fds[0].get(), F_GETFD) & FD_CLOEXEC, 0);
    auto plain = b.receive_with_fds();
    ASSERT_TRUE(plain);
    EXPECT_TRUE(plain->fds.empty());
    close(file);
}

TEST(MessageSocket, TooManyDescriptorsAreRefused) {
    auto [a, b] = MessageSocket::pair();
    const std::vector<int> many(kMaxFdsPerMessage + 1, 0);
    EXPECT_THROW(a.send("x", many), ProtocolError);
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
