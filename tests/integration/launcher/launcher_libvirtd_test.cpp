// The Launcher against a real libvirtd with the QEMU driver on this machine
// (no SEV): refusals happen before libvirt is asked, the QEMU driver would
// refuse SEV XML itself, and the client survives a libvirtd restart.
#include <array>
#include <cstdio>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "launcher/domain_xml.h"
#include "launcher/launcher.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_handles.h"
#include "libvirt_helper/libvirt_readings.h"
#include "probe/prober.h"
#include "tests/integration/launcher/launch_test_host.h"
#include "tests/support/libvirtd_instance.h"
#include "tests/support/shared_libvirtd.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
namespace {

using test::LibvirtdInstance;

constexpr const char* kQemuRefusal = "SEV launch security is not supported with this QEMU binary";

class RealLibvirtd : public test::SharedLibvirtd<RealLibvirtd> {
protected:
    // Domains the daemon holds, defined or running.
    static int domain_count() {
        std::string error;
        const auto conn = libvirt::open_read_write(libvirtd_->uri(), error);
        if (!conn) {
            ADD_FAILURE() << error;
            return -1;
        }
        return virConnectListAllDomains(conn.get(), nullptr, 0);
    }

    testhost::ImageDir images_{"lvd-images"};
};

LaunchRequest request(const std::string& name, const std::string& disk) {
    return {name, 512, 1, disk, {}};
}

probe::HostReport live_report(const std::string& uri) {
    probe::ProbeOptions options;
    options.libvirt_uri = uri;
    return libvirt::probe_host(options);
}

std::string checks_text(const probe::HostReport& report) {
    std::string text;
    for (const auto& check : report.checks)
        text += check.id + ": " + check.message +
                (check.hint.empty() ? "" : " (" + check.hint + ")") + "\n";
    return text;
}

// The probe reads this libvirtd's real domain capabilities: <sev supported='no'>.
TEST_F(RealLibvirtd, LiveProbeReadsDomainCapabilitiesWithoutSev) {
    const auto report = live_report(libvirtd_->uri());
    EXPECT_TRUE(report.libvirt.available) << checks_text(report);
    EXPECT_FALSE(report.libvirt.sev);
}

TEST_F(RealLibvirtd, LiveProbeSaysNoSevSoLaunchIsUnsupportedBeforeLibvirt) {
    const auto report = live_report(libvirtd_->uri());
    ASSERT_TRUE(report.models.empty()) << "this test needs a host without SEV";

    Launcher launcher(images_.config(libvirtd_->uri()),
                      std::make_unique<LibvirtClient>(libvirtd_->uri()));
    launcher.update_host(report, 0);
    launcher.resync();
    try {
        launcher.launch(request("probe-says-no", images_.disk()));
        FAIL() << "launched on a host without SEV";
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Unsupported) << e.what();
        EXPECT_NE(std::string(e.what()).find("amd-sev cannot be launched on this host: "),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(domain_count(), 0) << "libvirt was asked to define a domain";
}

TEST_F(RealLibvirtd, QemuDriverRefusesSevXmlIfItEverReachesIt) {
    // A report claiming SEV (as a stale or wrong probe would): the launch gets past
    // sevd's checks and QEMU's driver refuses; the reservation is released.
    Launcher launcher(images_.config(libvirtd_->uri()),
                      std::make_unique<LibvirtClient>(libvirtd_->uri()));
    launcher.update_host(testhost::sev_host(1, 0), 0);
    launcher.resync();
    try {
        launcher.launch(request("reaches-qemu", images_.disk()));
        FAIL() << "QEMU accepted SEV on a host without it";
    } catch (const LaunchError& e) {
        ASSERT_EQ(e.code(), ErrorCode::Libvirt) << e.what();
        const std::string message = e.what();
        if (message.find("does not support virt type 'kvm'") != std::string::npos)
            GTEST_SKIP()
                << "libvirtd cannot use /dev/kvm here, so QEMU's SEV check is not reached: "
                << message;
        EXPECT_NE(message.find(kQemuRefusal), std::string::npos) << message;
    }
    EXPECT_EQ(launcher.usage().sev.reserved, 0u);
    EXPECT_EQ(launcher.usage().sev.running, 0u);
    EXPECT_EQ(domain_count(), 0);
}

TEST_F(RealLibvirtd, ClientReconnectsAfterLibvirtdRestarts) {
    Launcher launcher(images_.config(libvirtd_->uri()),
                      std::make_unique<LibvirtClient>(libvirtd_->uri()));
    auto client = std::make_unique<LibvirtClient>(libvirtd_->uri());
    auto* raw = client.get();
    EXPECT_TRUE(raw->list_encrypted_running().empty());
    EXPECT_EQ(raw->generation(), 1u);
    libvirtd_->restart();
    EXPECT_NO_THROW(raw->list_encrypted_running()); // the old connection is dead: reconnect once
    EXPECT_EQ(raw->generation(), 2u);
    Launcher after(images_.config(libvirtd_->uri()), std::move(client));
    EXPECT_NO_THROW(after.resync());
}

TEST_F(RealLibvirtd, LauncherCarriesOnAfterLibvirtdRestarts) {
    Launcher launcher(images_.config(libvirtd_->uri()),
                      std::make_unique<LibvirtClient>(libvirtd_->uri()));
    launcher.update_host(testhost::sev_host(1, 0), 0); // claims SEV: the launch reaches QEMU
    launcher.resync();
    libvirtd_->restart();
    try {
        launcher.launch(request("after-restart", images_.disk()));
        FAIL() << "QEMU accepted SEV on a host without it";
    } catch (const LaunchError& e) {
        // Not a connection error: the client reconnected and libvirt got the XML.
        EXPECT_EQ(e.code(), ErrorCode::Libvirt);
        EXPECT_NE(std::string(e.what()).find("defining the domain failed"), std::string::npos)
            << e.what();
    }
    EXPECT_NO_THROW(launcher.resync());
    EXPECT_EQ(launcher.usage().sev.reserved, 0u);
}

TEST_F(RealLibvirtd, LibvirtdDownIsALibvirtErrorThenRecovers) {
    LibvirtClient client(libvirtd_->uri());
    client.ensure_connected();
    libvirtd_->stop();
    try {
        client.list_encrypted_running();
        ADD_FAILURE() << "listed without a daemon";
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Libvirt);
        EXPECT_NE(std::string(e.what()).find(libvirtd_->uri()), std::string::npos) << e.what();
    }
    libvirtd_->start();
    EXPECT_NO_THROW(client.list_encrypted_running());
}

// `sevd probe --json --libvirt-uri` against this libvirtd: libvirt is there, SEV is not.
TEST_F(RealLibvirtd, SevdProbeReadsTheRealDomainCapabilities) {
    const std::string sevd = std::string(SEVD_BINARY_DIR) + "/cli/sevd";
    if (access(sevd.c_str(), X_OK) != 0)
        GTEST_SKIP() << sevd << " is not built";
    const auto command =
        sevd + " probe --json --libvirt-uri '" + libvirtd_->uri() + "' 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        output.append(buffer.data(), n);
    const int status = pclose(pipe);
    EXPECT_EQ(WEXITSTATUS(status), 1) << "exit 1: no encrypted model launchable";
    const auto json = nlohmann::json::parse(output, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << output;
    EXPECT_EQ(json["libvirt"]["available"], true) << output;
    EXPECT_EQ(json["libvirt"]["sev"], false) << output;
}

} // namespace
} // namespace sevd::launcher
