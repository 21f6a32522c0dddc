// The emulated SEV host itself: libvirt's capability probe, replayed from the
// recording of the real QEMU 7.2 with SEV added, yields <sev supported='yes'>
// with the fake's values; every probe command has a recorded answer; stop
// leaves no process and no mount behind. DISABLED_RecordProbeReplies is the
// recorder (tests/support/fake-qemu/record-probe.sh runs it).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/child_process.h"
#include "tests/support/emulated_sev_host.h"

namespace sevd::test {
namespace {

std::string host_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

CommandResult virsh(const EmulatedSevHost& host, std::vector<std::string> args) {
    args.insert(args.begin(), {"virsh", "-c", host.uri()});
    return run_command(args, {}, std::chrono::seconds(60));
}

TEST(EmulatedSevHost, ProbeOfTheFakeQemuGivesSevWithTheFakesValues) {
    if (const auto why = EmulatedSevHost::unavailable_reason(); !why.empty())
        GTEST_SKIP() << why;
    std::vector<pid_t> fakes;
    pid_t libvirtd = -1;
    std::string tree;
    {
        FakeSevAnswers sev;
        sev.cbitpos = 51;
        sev.reduced_phys_bits = 1;
        EmulatedSevHostOptions options;
        options.sev = sev;
        EmulatedSevHost host(options);
        libvirtd = host.pid();
        tree = host.tree().string();
        const auto caps = virsh(host, {"domcapabilities", "--machine", "q35"});
        ASSERT_EQ(caps.exit_code, 0) << caps.output << host.libvirtd_log();
        EXPECT_NE(caps.output.find("<sev supported='yes'>"), std::string::npos) << caps.output;
        EXPECT_NE(caps.output.find("<cbitpos>51</cbitpos>"), std::string::npos);
        EXPECT_NE(caps.output.find("<reducedPhysBits>1</reducedPhysBits>"), std::string::npos);
        const auto info = virsh(host, {"nodesevinfo"});
        EXPECT_NE(info.output.find(sev.pdh), std::string::npos) << info.output;
        EXPECT_NE(info.output.find(sev.cert_chain), std::string::npos) << info.output;

        int probes = 0;
        for (const auto& entry : host.qemu_log()) {
            EXPECT_NE(entry.value("kind", ""), "unrecorded") << entry.dump();
            EXPECT_NE(entry.value("kind", ""), "crash") << entry.dump();
            if (entry.value("kind", "") == "start") {
                ++probes;
                fakes.push_back(entry["pid"].get<pid_t>());
            }
        }
        EXPECT_GE(probes, 1); // KVM probe, then TCG
        // The host's mount table never sees the namespace's mounts.
        EXPECT_EQ(host_mounts().find(tree), std::string::npos);
    }
    EXPECT_TRUE(process_gone(libvirtd));
    for (pid_t pid : fakes)
        EXPECT_TRUE(process_gone(pid)) << pid;
    EXPECT_EQ(host_mounts().find(tree), std::string::npos);
}

// Re-records tests/support/fake-qemu/qemu-7.2-probe.json from this machine's
// QEMU (record-probe.sh sets SEVD_RECORD_PROBE_TO).
TEST(EmulatedSevHost, DISABLED_RecordProbeReplies) {
    const char* out = std::getenv("SEVD_RECORD_PROBE_TO");
    ASSERT_NE(out, nullptr) << "set SEVD_RECORD_PROBE_TO to the recording's path";
    std::filesystem::remove(out);
    EmulatedSevHostOptions options;
    options.record_to = out;
    EmulatedSevHost host(options);
    const auto caps = virsh(host, {"domcapabilities", "--machine", "q35"});
    ASSERT_EQ(caps.exit_code, 0) << caps.output << host.libvirtd_log();
    EXPECT_NE(caps.output.find("<sev supported='yes'>"), std::string::npos) << caps.output;
    EXPECT_TRUE(std::filesystem::exists(out));
}

} // namespace
} // namespace sevd::test
