// MainLoop without a bus: posted tasks run on the loop thread, timers run in
// due order, quit() ends run() with its code.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "manager/main_loop.h"

namespace sevd::manager {
namespace {

TEST(MainLoop, TaskPostedFromAnotherThreadRunsOnTheLoopThread) {
    MainLoop loop;
    std::thread::id ran_on;
    std::thread poster([&] {
        loop.post([&] {
            ran_on = std::this_thread::get_id();
            loop.quit(7);
        });
    });
    EXPECT_EQ(loop.run(), 7);
    poster.join();
    EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(MainLoop, TimersRunInDueOrder) {
    MainLoop loop;
    std::vector<int> order;
    loop.run_after(std::chrono::milliseconds(30), [&] {
        order.push_back(2);
        loop.quit(0);
    });
    loop.run_after(std::chrono::milliseconds(1), [&] { order.push_back(1); });
    loop.run();
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(MainLoop, WatchedFdCallsItsHandler) {
    MainLoop loop;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    loop.watch(fds[0], [&] {
        char c = 0;
        ASSERT_EQ(read(fds[0], &c, 1), 1);
        loop.quit(c);
    });
    ASSERT_EQ(write(fds[1], "\x05", 1), 1);
    EXPECT_EQ(loop.run(), 5);
    close(fds[0]);
    close(fds[1]);
}

} // namespace
} // namespace sevd::manager
