// Locked memory of running SEV guests, asked from libvirt's test driver with
// a node file that pre-defines running domains (no hypervisor needed).
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cgroups/running_sev_guests.h"
#include "libvirt_helper/libvirt_readings.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

// Two running SEV guests (2 GiB, 4 GiB) and one plain guest (1 GiB).
constexpr const char* kNodeXml = R"(<node>
  <cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads>
       <active>2</active><mhz>2000</mhz><model>x86_64</model></cpu>
  <memory>16777216</memory>
  <domain type='test'>
    <name>sev-a</name><memory unit='KiB'>2097152</memory>
    <os><type arch='x86_64' machine='q35'>hvm</type></os>
    <launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits>
      <policy>0x0033</policy></launchSecurity>
  </domain>
  <domain type='test'>
    <name>sev-b</name><memory unit='GiB'>4</memory>
    <os><type arch='x86_64' machine='q35'>hvm</type></os>
    <launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits>
      <policy>0x0037</policy></launchSecurity>
  </domain>
  <domain type='test'>
    <name>plain</name><memory unit='KiB'>1048576</memory>
    <os><type arch='x86_64'>hvm</type></os>
  </domain>
</node>
)";

TEST(RunningSevGuestsLibvirt, CountsRunningEncryptedDomainsWithOverhead) {
    const auto node =
        fs::temp_directory_path() / ("sevd-node-" + std::to_string(getpid()) + ".xml");
    std::ofstream(node) << kNodeXml;
    const auto guests = libvirt::query_running_sev_guests("test://" + node.string(), 16);
    fs::remove(node);
    EXPECT_TRUE(guests.libvirt_reachable) << guests.note;
    EXPECT_EQ(guests.count, 2u);
    // (2 GiB + 16 MiB) + (4 GiB + 16 MiB) = 6 GiB + 32 MiB = 6442450944 + 33554432.
    EXPECT_EQ(guests.locked_bytes, 6476005376ull);
}

} // namespace
} // namespace sevd::cgroups
