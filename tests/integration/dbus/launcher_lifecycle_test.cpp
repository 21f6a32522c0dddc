// Real guests through the daemon, on libvirt's test driver: qcow2 chains,
// networks and seeds in the XML (validated against libvirt's schema with
// virt-xml-validate), Start / Shutdown / AllGuests, and every refusal as its
// named error; sevdctl's launch --json, --memory 2G, relative paths, guests
// --all, start and shutdown. The descriptor hand-over itself is proven in
// tests/unit/launcher (launcher_images_test) and against a real libvirtd in
// tests/integration/launcher.
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dbus/host_client.h"
#include "dbus/launcher_client.h"
#include "tests/support/bus_client.h"
#include "tests/support/child_process.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"

namespace sevd::test {
namespace {

namespace fs = std::filesystem;
using Properties = std::map<std::string, std::string>;
using AllGuestsRow = sdbus::Struct<std::string, std::string, std::string, uint64_t, std::string>;

class LauncherLifecycle : public ::testing::Test {
protected:
    void SetUp() override {
        auto setup = launch_setup(dir_, SEVD_FIXTURES_DIR "/rome-split-asids");
        images_ = dir_.path() / "images";
        disk_ = setup.disk;
        // One SEV slot: Start is refused once another guest holds it.
        write_file(setup.root / "sys/fs/cgroup/misc.capacity", "sev 1\nsev_es 1\n");
        fs::remove(setup.root / "sys/fs/cgroup/misc.current");
        write_file(*setup.options.config,
                   "[guests]\nimage_dirs = " + images_.string() + "\nnetworks = default\n");
        write_file(images_ / "seed.iso", "cidata");
        fs::create_directories(dir_.path() / "outside");
        write_file(dir_.path() / "outside" / "host.raw", "host");

        bus_ = std::make_unique<PrivateBus>();
        daemon_ = std::make_unique<SevdDaemon>(*bus_, setup.options);
        conn_ = connect_to(bus_->address());
        dbus::HostClient host(*conn_);
        for (int i = 0; i < 500 && !host.Ready(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_TRUE(host.Ready()) << daemon_->log();
        launcher_ = std::make_unique<dbus::LauncherClient>(*conn_);
    }
    void TearDown() override {
        launcher_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
        }
    }
    bool has_qemu_img() const { return std::system("qemu-img --version >/dev/null 2>&1") == 0; }
    void qemu_img(const std::string& args) {
        const auto command =
            "cd '" + images_.string() + "' && qemu-img " + args + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0) << args;
    }
    // The named error a call fails with ("" when it succeeds).
    std::string state_of(const std::string& name) {
        for (int i = 0; i < 500; ++i) {
            for (const AllGuestsRow& row : launcher_->AllGuests())
                if (std::get<0>(row) == name && std::get<4>(row) == "shut off")
                    return "shut off";
            if (i > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        for (const AllGuestsRow& row : launcher_->AllGuests())
            if (std::get<0>(row) == name)
                return std::get<4>(row);
        return "absent";
    }
    CommandResult sevdctl(const std::vector<std::string>& args, const fs::path& cwd = "/") {
        std::string command = "cd '" + cwd.string() + "' && exec '" + kSevdctlBinary + "'";
        for (const auto& arg : args)
            command += " '" + arg + "'";
        return run_command({"/bin/sh", "-c", command}, bus_->env(), std::chrono::seconds(60));
    }

    TempDir dir_;
    fs::path images_;
    std::string disk_;
    std::unique_ptr<PrivateBus> bus_;
    std::unique_ptr<SevdDaemon> daemon_;
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<dbus::LauncherClient> launcher_;
};

TEST_F(LauncherLifecycle, PlanStatesChainNetworkAndSeedAndLibvirtsSchemaAcceptsIt) {
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    qemu_img("create -f raw base.raw 64M");
    qemu_img("create -f qcow2 -b base.raw -F raw mid.qcow2");
    qemu_img("create -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2");
    const Properties props{{"disk_format", "qcow2"},
                           {"sevd:network", "default"},
                           {"sevd:seed", (images_ / "seed.iso").string()}};
    const auto xml = launcher_->Plan("web-1", 1024, 2, (images_ / "top.qcow2").string(), props);
    const auto top = fs::canonical(images_ / "top.qcow2").string();
    const auto mid = fs::canonical(images_ / "mid.qcow2").string();
    const auto base = fs::canonical(images_ / "base.raw").string();
    const std::vector<std::string> parts{"<driver name=\"qemu\" type=\"qcow2\" iommu=\"on\" />",
                                         "<source file=\"" + top + "\" fdgroup=\"disk-0\" />",
                                         "<backingStore type=\"file\">",
                                         "<format type=\"qcow2\" />",
                                         "<source file=\"" + mid + "\" fdgroup=\"disk-1\" />",
                                         "<format type=\"raw\" />",
                                         "<source file=\"" + base + "\" fdgroup=\"disk-2\" />",
                                         "<backingStore />",
                                         "<disk type=\"file\" device=\"cdrom\">",
                                         "fdgroup=\"seed-0\"",
                                         "<target dev=\"sda\" bus=\"sata\" />",
                                         "<readonly />",
                                         "<interface type=\"network\">",
                                         "<source network=\"default\" />",
                                         "<model type=\"virtio\" />",
                                         "<rom enabled=\"no\" />"};
    for (const auto& part : parts)
        EXPECT_NE(xml.find(part), std::string::npos) << part << "\n" << xml;
    const auto path = dir_.path() / "plan.xml";
    write_file(path, xml);
    const auto valid = run_command({"virt-xml-validate", path.string(), "domain"});
    EXPECT_EQ(valid.exit_code, 0) << valid.output << xml;
}

TEST_F(LauncherLifecycle, LaunchShutdownStartStop) {
    const Properties props{{"sevd:network", "default"},
                           {"sevd:seed", (images_ / "seed.iso").string()}};
    const auto uuid = launcher_->Launch("web-1", 512, 1, disk_, props);
    std::vector<AllGuestsRow> want{{"web-1", uuid, "amd-sev", 512, "running"}};
    EXPECT_EQ(launcher_->AllGuests(), want);

    launcher_->Shutdown("web-1"); // the test driver powers off at once
    EXPECT_EQ(state_of("web-1"), "shut off") << daemon_->log();
    EXPECT_TRUE(launcher_->Guests().empty());
    EXPECT_EQ(error_name_of([&] { launcher_->Shutdown("web-1"); }),
              "org.sevd.Error.InvalidArgument");

    EXPECT_EQ(launcher_->Start("web-1"), uuid);
    EXPECT_EQ(launcher_->AllGuests(), want);
    EXPECT_EQ(error_name_of([&] { launcher_->Start("web-1"); }), "org.sevd.Error.InvalidArgument");

    launcher_->Stop("web-1");
    EXPECT_TRUE(launcher_->AllGuests().empty());
}

TEST_F(LauncherLifecycle, StartIsAdmittedLikeALaunch) {
    launcher_->Launch("first", 512, 1, disk_, {});
    launcher_->Shutdown("first");
    ASSERT_EQ(state_of("first"), "shut off") << daemon_->log();
    launcher_->Launch("second", 512, 1, disk_, {}); // takes the one SEV slot
    EXPECT_EQ(error_name_of([&] { launcher_->Start("first"); }), "org.sevd.Error.NoSlots");
    launcher_->Stop("second");
    EXPECT_EQ(error_name_of([&] { launcher_->Start("first"); }), "ok");
    launcher_->Stop("first");
}

TEST_F(LauncherLifecycle, EveryRefusalIsItsNamedError) {
    const std::string invalid = "org.sevd.Error.InvalidArgument";
    const auto launch = [&](Properties props, std::string disk = {}) {
        return error_name_of(
            [&] { launcher_->Launch("refused", 512, 1, disk.empty() ? disk_ : disk, props); });
    };
    EXPECT_EQ(launch({{"disk_format", "vmdk"}}), invalid);
    EXPECT_EQ(launch({{"disk_format", "qcow2"}}), invalid); // the raw disk is no qcow2
    EXPECT_EQ(launch({{"sevd:network", "host-bridge"}}), invalid);
    EXPECT_EQ(launch({{"sevd:seed", (dir_.path() / "outside" / "host.raw").string()}}), invalid);
    EXPECT_EQ(launch({}, (dir_.path() / "outside" / "host.raw").string()), invalid);
    if (has_qemu_img()) {
        qemu_img("create -f qcow2 -b " + (dir_.path() / "outside" / "host.raw").string() +
                 " -F raw escapes.qcow2 1M");
        EXPECT_EQ(launch({{"disk_format", "qcow2"}}, (images_ / "escapes.qcow2").string()),
                  invalid);
        qemu_img("create -f qcow2 -o data_file=data.raw with-data.qcow2 1M");
        EXPECT_EQ(launch({{"disk_format", "qcow2"}}, (images_ / "with-data.qcow2").string()),
                  invalid);
    }
    EXPECT_EQ(error_name_of([&] { launcher_->Start("nobody"); }), invalid);
    EXPECT_EQ(error_name_of([&] { launcher_->Shutdown("nobody"); }), invalid);
    EXPECT_TRUE(launcher_->AllGuests().empty());
}

TEST_F(LauncherLifecycle, SevdctlLaunchJsonSizesRelativePathsAndLifecycle) {
    auto r = sevdctl({"launch", "cli-1", "--memory", "1G", "--vcpus", "1", "--disk", "disk.img",
                      "--seed", "seed.iso", "--network", "default", "--json"},
                     images_);
    ASSERT_EQ(r.exit_code, 0) << r.output << daemon_->log();
    const auto out = nlohmann::json::parse(r.output);
    EXPECT_EQ(out["name"], "cli-1");
    EXPECT_EQ(out["uuid"].get<std::string>().size(), 36u);
    const auto xml = out["domain_xml"].get<std::string>();
    EXPECT_NE(xml.find("<memory unit=\"MiB\">1024</memory>"), std::string::npos) << xml;
    EXPECT_NE(xml.find(fs::canonical(images_ / "seed.iso").string()), std::string::npos) << xml;

    r = sevdctl({"shutdown", "cli-1"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    ASSERT_EQ(state_of("cli-1"), "shut off");
    r = sevdctl({"guests", "--all", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(r.output)[0]["state"], "shut off") << r.output;
    r = sevdctl({"guests", "--json"});
    EXPECT_EQ(nlohmann::json::parse(r.output).size(), 0u) << r.output;
    r = sevdctl({"start", "cli-1"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    r = sevdctl({"stop", "cli-1"});
    EXPECT_EQ(r.exit_code, 0) << r.output;

    r = sevdctl({"launch", "cli-2", "--memory", "1G", "--vcpus", "1", "--disk", "disk.img",
                 "--network", "nope", "--json"},
                images_);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    const auto refused = nlohmann::json::parse(r.output);
    EXPECT_EQ(refused["name"], "org.sevd.Error.InvalidArgument");
    EXPECT_NE(refused["error"].get<std::string>().find("allowed: default"), std::string::npos);

    r = sevdctl({"launch", "cli-3", "--memory", "2GB", "--vcpus", "1", "--disk", disk_});
    EXPECT_EQ(r.exit_code, 2) << r.output; // a usage error: decimal units are not guessed
}

} // namespace
} // namespace sevd::test
