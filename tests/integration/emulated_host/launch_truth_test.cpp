// Launch truth: every accept case of the launch rules, launched through sevd
// into the real qemu driver of the emulated SEV host; the QEMU command line
// the fake received shows what each rule promises (README "Launch rules").
// Expected values come from the rules: policy 0x0033 = 51, 0x0037 = 55; the
// fixture's C-bit 47 and reducedPhysBits 1; the firmware named by sevd's own
// descriptor (units/61-sevd-edk2-x86_64-sev.json).
#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/integration/emulated_host/emulated_launch_host.h"

namespace sevd::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Properties = std::map<std::string, std::string>;

constexpr int kSevPolicy = 0x33;
// An isolated libvirt network (a bridge, no addresses, no firewall) in the
// emulated host's own network namespace; sevd.conf allows it.
constexpr const char* kNetwork = "sevd-truth";
constexpr int kSevEsPolicy = 0x37;
const fs::path kDescriptor = fs::path(SEVD_SOURCE_DIR) / "units/61-sevd-edk2-x86_64-sev.json";

std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& flag) {
    std::vector<std::string> values;
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == flag)
            values.push_back(argv[i + 1]);
    return values;
}

// -object / -device / -blockdev values libvirt writes as JSON.
std::vector<json> json_values(const std::vector<std::string>& argv, const std::string& flag) {
    std::vector<json> out;
    for (const auto& value : values_of(argv, flag))
        if (!value.empty() && value.front() == '{')
            out.push_back(json::parse(value));
    return out;
}

std::optional<json> object_of_type(const std::vector<std::string>& argv, const std::string& type) {
    for (auto& object : json_values(argv, "-object"))
        if (object.value("qom-type", "") == type)
            return object;
    return std::nullopt;
}

std::vector<json> devices_named(const std::vector<std::string>& argv, const std::string& driver) {
    std::vector<json> out;
    for (auto& device : json_values(argv, "-device"))
        if (device.value("driver", "") == driver)
            out.push_back(device);
    return out;
}

std::string joined(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& arg : argv)
        text += arg + " ";
    return text;
}

class LaunchTruth : public EmulatedLaunchHost<LaunchTruth> {
protected:
    void SetUp() override {
        EmulatedLaunchHost::SetUp();
        if (not_ready())
            return;
        start_daemon(std::string("networks = ") + kNetwork + "\n");
    }

    // Launches through Launcher1 and returns the QEMU command line libvirt ran.
    std::vector<std::string> launch(const std::string& name, uint32_t vcpus,
                                    const Properties& properties) {
        launcher_->Launch(name, 512, vcpus, disk_, properties);
        launched_.push_back(name);
        return host_->domain_argv(name);
    }

    // The fake received libvirt's `cont`: the guest runs.
    bool resumed(const std::string& name) {
        const auto commands = host_->qmp_commands(host_->domain_pid(name));
        return std::any_of(commands.begin(), commands.end(),
                           [](const json& c) { return c["execute"] == "cont"; });
    }

    // What every SEV launch promises, whatever the rule under test.
    void expect_encrypted(const std::vector<std::string>& argv, int policy) {
        ASSERT_FALSE(argv.empty()) << "libvirt started no QEMU; its log:\n"
                                   << host_->libvirtd_log();
        const auto sev = object_of_type(argv, "sev-guest");
        ASSERT_TRUE(sev) << joined(argv);
        EXPECT_EQ((*sev)["policy"], policy);
        EXPECT_EQ((*sev)["cbitpos"], kFixtureCbitpos);
        EXPECT_EQ((*sev)["reduced-phys-bits"], kFixtureReducedPhysBits);
        const auto machine = values_of(argv, "-machine");
        ASSERT_EQ(machine.size(), 1u);
        EXPECT_NE(machine[0].find("pc-q35-"), std::string::npos) << machine[0];
        EXPECT_NE(machine[0].find("confidential-guest-support=" + (*sev)["id"].get<std::string>()),
                  std::string::npos)
            << machine[0];
        EXPECT_EQ(values_of(argv, "-overcommit"), std::vector<std::string>{"mem-lock=on"});
        int virtio = 0;
        for (const auto& device : json_values(argv, "-device")) {
            if (device.value("driver", "").rfind("virtio", 0) != 0)
                continue;
            ++virtio;
            EXPECT_EQ(device.value("iommu_platform", false), true) << device.dump();
        }
        EXPECT_TRUE(devices_named(argv, "virtio-balloon-pci").empty()) << joined(argv);
        virtio_devices_ = virtio;
    }

    void TearDown() override {
        for (const auto& name : launched_) {
            try {
                launcher_->Stop(name);
            } catch (const sdbus::Error& e) {
                ADD_FAILURE() << "Stop " << name << ": " << e.getMessage();
            }
        }
        EmulatedLaunchHost::TearDown();
    }

    std::vector<std::string> launched_;
    int virtio_devices_ = 0;
};

TEST_F(LaunchTruth, SevWithVirtioDiskRunsEncryptedWithIommuLockedMemory) {
    if (not_ready())
        return;
    const auto argv = launch("truth-sev", 2, {});
    expect_encrypted(argv, kSevPolicy);
    const auto disks = devices_named(argv, "virtio-blk-pci");
    ASSERT_EQ(disks.size(), 1u) << joined(argv);
    EXPECT_EQ(virtio_devices_, 1);
    EXPECT_TRUE(resumed("truth-sev"));
    EXPECT_TRUE(wait_used(false, 1));
}

TEST_F(LaunchTruth, SevEsFindsFirmwareThroughSevdsInstalledDescriptor) {
    if (not_ready())
        return;
    // The install put the descriptor where libvirt searches.
    const bool in_searched_dir =
        fs::exists(destdir_->path() / "usr/share/qemu/firmware" / kDescriptor.filename()) ||
        fs::exists(destdir_->path() / "etc/qemu/firmware" / kDescriptor.filename());
    ASSERT_TRUE(in_searched_dir) << "the descriptor installs outside /usr/share/qemu/firmware "
                                    "and /etc/qemu/firmware";
    const auto descriptor = json::parse(std::ifstream(kDescriptor));
    const auto code = descriptor["mapping"]["executable"]["filename"].get<std::string>();

    const auto argv = launch("truth-es", 1, {{"hw_mem_encryption_model", "amd-sev-es"}});
    expect_encrypted(argv, kSevEsPolicy);
    std::vector<std::string> firmware;
    for (const auto& blockdev : json_values(argv, "-blockdev"))
        if (blockdev.value("node-name", "") == "libvirt-pflash0-storage")
            firmware.push_back(blockdev.value("filename", ""));
    EXPECT_EQ(firmware, std::vector<std::string>{code});
    EXPECT_TRUE(resumed("truth-es"));
    EXPECT_TRUE(wait_used(true, 1));
}

TEST_F(LaunchTruth, VirtioScsiControllerGetsTheIommuToo) {
    if (not_ready())
        return;
    const auto argv =
        launch("truth-scsi", 1, {{"hw_disk_bus", "scsi"}, {"hw_scsi_model", "virtio-scsi"}});
    expect_encrypted(argv, kSevPolicy);
    EXPECT_EQ(devices_named(argv, "virtio-scsi-pci").size(), 1u) << joined(argv);
    EXPECT_EQ(devices_named(argv, "scsi-hd").size(), 1u) << joined(argv);
    EXPECT_TRUE(devices_named(argv, "virtio-blk-pci").empty());
    EXPECT_EQ(virtio_devices_, 1);
}

TEST_F(LaunchTruth, SataDiskNeedsNoVirtioDevice) {
    if (not_ready())
        return;
    const auto argv = launch("truth-sata", 1, {{"hw_disk_bus", "sata"}});
    expect_encrypted(argv, kSevPolicy);
    EXPECT_EQ(devices_named(argv, "ide-hd").size(), 1u) << joined(argv);
    EXPECT_EQ(virtio_devices_, 0);
}

TEST_F(LaunchTruth, HugepagesBackGuestMemoryFromHugetlbfsStillLocked) {
    if (not_ready())
        return;
    const auto argv = launch("truth-huge", 1, {{"hw:mem_page_size", "2048"}});
    expect_encrypted(argv, kSevPolicy);
    const auto backend = object_of_type(argv, "memory-backend-file");
    ASSERT_TRUE(backend) << joined(argv);
    EXPECT_EQ((*backend).value("mem-path", "").rfind("/dev/hugepages/", 0), 0u) << backend->dump();
    EXPECT_EQ((*backend)["size"], 512ull * 1024 * 1024);
}

TEST_F(LaunchTruth, NumaNodesSplitVcpusAndMemoryEvenly) {
    if (not_ready())
        return;
    const auto argv = launch("truth-numa", 2, {{"hw:numa_nodes", "2"}});
    expect_encrypted(argv, kSevPolicy);
    const auto nodes = values_of(argv, "-numa");
    ASSERT_EQ(nodes.size(), 2u) << joined(argv);
    EXPECT_NE(nodes[0].find("cpus=0"), std::string::npos) << nodes[0];
    EXPECT_NE(nodes[1].find("cpus=1"), std::string::npos) << nodes[1];
    int backends = 0;
    for (const auto& object : json_values(argv, "-object"))
        if (object.value("id", "").rfind("ram-node", 0) == 0) {
            ++backends;
            EXPECT_EQ(object["size"], 256ull * 1024 * 1024) << object.dump();
        }
    EXPECT_EQ(backends, 2);
}

// sevd:network: a virtio NIC on the libvirt network, through the IOMMU, with
// no option ROM (README "Launch rules"); libvirt hands QEMU the tap it made.
TEST_F(LaunchTruth, NetworkIsAVirtioNicWithIommuAndNoOptionRom) {
    if (not_ready())
        return;
    const auto xml = dir_.path() / "network.xml";
    write_file(xml, std::string("<network><name>") + kNetwork +
                        "</name><bridge name='sevdtruth0'/></network>");
    const auto created = run_command({"virsh", "-q", "-c", host_->uri(), "net-create", xml});
    ASSERT_EQ(created.exit_code, 0) << created.output << host_->libvirtd_log();
    const auto argv = launch("truth-net", 1, {{"sevd:network", kNetwork}});
    expect_encrypted(argv, kSevPolicy);
    const auto nics = devices_named(argv, "virtio-net-pci");
    ASSERT_EQ(nics.size(), 1u) << joined(argv);
    EXPECT_EQ(nics[0].value("romfile", "-"), "") << nics[0].dump();
    std::vector<std::string> netdevs;
    for (const auto& netdev : json_values(argv, "-netdev"))
        netdevs.push_back(netdev.value("type", ""));
    EXPECT_EQ(netdevs, std::vector<std::string>{"tap"}) << joined(argv);
    EXPECT_EQ(virtio_devices_, 2); // the disk and the NIC
    EXPECT_TRUE(resumed("truth-net"));
    launcher_->Stop("truth-net");
    launched_.clear();
    (void)run_command({"virsh", "-q", "-c", host_->uri(), "net-destroy", kNetwork});
}

// sevd:seed: a read-only SATA CD-ROM from a file in the image directories,
// opened by sevd and handed to libvirt like the disk.
TEST_F(LaunchTruth, SeedIsAReadOnlySataCdrom) {
    if (not_ready())
        return;
    const auto seed = dir_.path() / "images/seed.iso";
    write_file(seed, std::string(2048, 's'));
    const auto argv = launch("truth-seed", 1, {{"sevd:seed", seed.string()}});
    expect_encrypted(argv, kSevPolicy);
    const auto cdroms = devices_named(argv, "ide-cd");
    ASSERT_EQ(cdroms.size(), 1u) << joined(argv);
    int read_only = 0;
    for (const auto& blockdev : json_values(argv, "-blockdev"))
        if (blockdev.value("node-name", "") == cdroms[0].value("drive", "?") &&
            blockdev.value("read-only", false))
            ++read_only;
    EXPECT_EQ(read_only, 1) << joined(argv);
    EXPECT_EQ(virtio_devices_, 1); // the disk only
}

// Without sevd's descriptor (Debian's list amd-sev only), libvirt finds no
// firmware for an SEV-ES guest: the descriptor is what makes SEV-ES launch.
TEST(LaunchTruthWithoutDescriptor, SevEsStartIsRefusedByLibvirtForWantOfFirmware) {
    if (const auto why = EmulatedSevHost::unavailable_reason(); !why.empty())
        GTEST_SKIP() << why;
    EmulatedSevHostOptions options;
    options.sev = fixture_sev_answers();
    EmulatedSevHost host(options);
    TempDir dir("sevd-nodesc");
    auto setup = launch_setup(dir, SEVD_FIXTURES_DIR "/rome-split-asids");
    setup.options.libvirt_uri = host.uri();
    PrivateBus bus;
    SevdDaemon daemon(bus, setup.options);
    auto conn = connect_to(bus.address());
    dbus::HostClient host_client(*conn);
    ASSERT_TRUE(wait_until([&] { return host_client.Ready(); }, std::chrono::seconds(10)));
    dbus::LauncherClient launcher(*conn);
    try {
        launcher.Launch("no-firmware", 512, 1, setup.disk,
                        {{"hw_mem_encryption_model", "amd-sev-es"}});
        FAIL() << "libvirt started an SEV-ES guest without a firmware that lists amd-sev-es";
    } catch (const sdbus::Error& e) {
        EXPECT_EQ(e.getName(), "org.sevd.Error.Libvirt");
        EXPECT_NE(e.getMessage().find("Unable to find any firmware"), std::string::npos)
            << e.getMessage();
    }
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

} // namespace
} // namespace sevd::test
