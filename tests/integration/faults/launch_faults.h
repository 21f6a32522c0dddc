// Shared by the libvirtd and daemon-kill fault tests: a snapshot host with
// chosen ASID capacities and no misc.current (so used slots are the running
// encrypted libvirt domains), an image directory and config, and concurrent
// launches through Launcher1 tallied by outcome.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dbus/launcher_client.h"
#include "tests/integration/faults/fault_harness.h"
#include "tests/support/temp_dir.h"

namespace sevd::test::faults {

// rome-split-asids with misc.capacity `capacity` and misc.current removed, a disk
// in an image directory, and a config naming that directory.
struct LaunchHost {
    LaunchHost(TempDir& dir, const std::string& capacity)
        : root(dir.copy_in(SEVD_FIXTURES_DIR "/rome-split-asids", "host")),
          disk((dir.path() / "images/disk.img").string()), config(dir.path() / "sevd.conf") {
        write_file(root / "sys/fs/cgroup/misc.capacity", capacity);
        std::filesystem::remove(root / "sys/fs/cgroup/misc.current");
        write_file(disk, "raw disk");
        write_file(config, "[guests]\nimage_dirs = " + (dir.path() / "images").string() + "\n");
    }
    std::filesystem::path root;
    std::string disk;
    std::filesystem::path config;
};

// Outcome name ("ok" or the error name) → count.
using Outcomes = std::map<std::string, int>;

// `count` Launch calls at once, each from its own connection and thread.
// `answered` (optional) counts the calls answered so far, for a test that
// acts while the rest are in flight.
inline Outcomes launch_concurrently(const std::string& address, const std::string& prefix,
                                    int count, const std::string& disk,
                                    std::atomic<int>* answered = nullptr) {
    std::mutex mutex;
    Outcomes outcomes;
    std::vector<std::thread> callers;
    for (int i = 0; i < count; ++i) {
        callers.emplace_back([&, i] {
            std::string outcome;
            try {
                auto conn = connect_to(address);
                dbus::LauncherClient launcher(*conn);
                outcome = error_name_of(
                    [&] { launcher.Launch(prefix + std::to_string(i), 256, 1, disk, {}); });
            } catch (const sdbus::Error& e) { // the connection itself failed
                outcome = e.getName();
            }
            std::lock_guard lock(mutex);
            ++outcomes[outcome];
            if (answered != nullptr)
                ++*answered;
        });
    }
    for (auto& caller : callers)
        caller.join();
    return outcomes;
}

inline std::string outcomes_text(const Outcomes& outcomes) {
    std::string text;
    for (const auto& [name, count] : outcomes)
        text += name + " × " + std::to_string(count) + "; ";
    return text;
}

} // namespace sevd::test::faults
