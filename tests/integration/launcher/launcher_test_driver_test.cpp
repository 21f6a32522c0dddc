// The Launcher against libvirt's test driver: real define/start/destroy/
// undefine through the real client, no hypervisor needed.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "launcher/launcher.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/launcher/launch_test_host.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
namespace {

constexpr const char* kTestUri = "test:///default";
constexpr uint64_t kMiB = 1024 * 1024;

std::string node_file_uri() {
    return std::string("test://") + SEVD_FIXTURES_DIR + "/libvirt/node-sev-guests.xml";
}

LaunchRequest request(const std::string& name, const std::string& disk,
                      const std::string& model = "amd-sev", uint64_t memory_mib = 512) {
    return {name, memory_mib, 1, disk, {{"hw_mem_encryption_model", model}}};
}

ErrorCode refusal(Launcher& launcher, const LaunchRequest& r) {
    try {
        launcher.launch(r);
    } catch (const LaunchError& e) {
        return e.code();
    }
    ADD_FAILURE() << r.name << " launched";
    return ErrorCode::Libvirt;
}

// A second connection to test:///default sees the same driver state.
class TestDriverView {
public:
    TestDriverView() {
        std::string error;
        conn_ = libvirt::open_read_only(kTestUri, error);
        EXPECT_TRUE(conn_) << error;
    }
    // The running domain's XML, or "" when it is not running.
    std::string running_xml(const std::string& name) const {
        libvirt::DomainPtr domain(virDomainLookupByName(conn_.get(), name.c_str()));
        if (!domain || virDomainIsActive(domain.get()) != 1)
            return {};
        char* xml = virDomainGetXMLDesc(domain.get(), 0);
        std::string text(xml);
        std::free(xml); // NOLINT
        return text;
    }
    bool defined(const std::string& name) const {
        return static_cast<bool>(
            libvirt::DomainPtr(virDomainLookupByName(conn_.get(), name.c_str())));
    }

private:
    libvirt::ConnectPtr conn_;
};

class TestDriverLaunch : public testing::Test {
protected:
    std::unique_ptr<Launcher> make(const std::string& uri, const probe::HostReport& report,
                                   uint64_t limit = 0) {
        auto launcher =
            std::make_unique<Launcher>(images_.config(uri), std::make_unique<LibvirtClient>(uri));
        launcher->update_host(report, limit);
        launcher->resync();
        return launcher;
    }
    testhost::ImageDir images_{"td-images"};
};

void expect_encrypted_guest(const std::string& xml, const char* policy) {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
    const auto domain = doc.child("domain");
    EXPECT_STREQ(domain.child("launchSecurity").attribute("type").value(), "sev");
    EXPECT_STREQ(domain.child("launchSecurity").child_value("policy"), policy);
    EXPECT_STREQ(domain.child("launchSecurity").child_value("cbitpos"), "47");
    EXPECT_STREQ(domain.child("launchSecurity").child_value("reducedPhysBits"), "1");
    EXPECT_TRUE(domain.child("memoryBacking").child("locked"));
    int virtio = 0;
    for (auto device : domain.child("devices").children()) {
        const std::string model = device.attribute("model").as_string();
        const std::string bus = device.child("target").attribute("bus").as_string();
        if (model.find("virtio") == std::string::npos && bus != "virtio")
            continue;
        ++virtio;
        EXPECT_STREQ(device.child("driver").attribute("iommu").value(), "on") << device.name();
    }
    EXPECT_GE(virtio, 1);
}

TEST_F(TestDriverLaunch, SevAndSevEsGuestsRunWithPolicyLockedMemoryAndIommu) {
    auto launcher = make(kTestUri, testhost::sev_host(10, 10));
    TestDriverView view;
    const auto sev = launcher->launch(request("enc-sev", images_.disk(), "amd-sev"));
    const auto es = launcher->launch(request("enc-es", images_.disk(), "amd-sev-es"));
    EXPECT_EQ(sev.model, EncryptionModel::Sev);
    EXPECT_EQ(es.model, EncryptionModel::SevEs);
    EXPECT_EQ(sev.uuid.size(), 36u);
    expect_encrypted_guest(view.running_xml("enc-sev"), "0x0033");
    expect_encrypted_guest(view.running_xml("enc-es"), "0x0037");
    EXPECT_EQ(launcher->guests().size(), 2u);
    EXPECT_EQ(launcher->usage().sev.running, 1u);
    EXPECT_EQ(launcher->usage().sev_es.running, 1u);

    EXPECT_EQ(launcher->stop("enc-sev"), sev);
    EXPECT_FALSE(view.defined("enc-sev"));
    launcher->stop("enc-es");
    EXPECT_FALSE(view.defined("enc-es"));
    EXPECT_TRUE(launcher->guests().empty());
    EXPECT_EQ(launcher->usage().sev.running, 0u);
}

TEST_F(TestDriverLaunch, PlanReturnsTheXmlAndReservesNothing) {
    auto launcher = make(kTestUri, testhost::sev_host(1, 0));
    const auto xml = launcher->plan(request("planned", images_.disk()));
    EXPECT_NE(xml.find("<policy>0x0033</policy>"), std::string::npos);
    EXPECT_EQ(launcher->usage().sev.reserved + launcher->usage().sev.running, 0u);
    EXPECT_FALSE(TestDriverView().defined("planned"));
}

TEST_F(TestDriverLaunch, ResyncReadsGuestsSevdLaunchedBefore) {
    auto first = make(kTestUri, testhost::sev_host(10, 10));
    first->launch(request("survivor", images_.disk()));
    // A restarted daemon: new Launcher on the same (still open) test driver state.
    auto second = make(kTestUri, testhost::sev_host(10, 10));
    ASSERT_EQ(second->guests().size(), 1u);
    EXPECT_EQ(second->guests()[0].name, "survivor");
    EXPECT_EQ(second->guests()[0].memory_mib, 512u);
    second->stop("survivor");
}

TEST_F(TestDriverLaunch, NodeFileGuestsAreCountedAtStart) {
    // Node file: SEV pool 2 running, SEV-ES pool 1 running; sevd's mark only on sevd-web.
    auto launcher = make(node_file_uri(), testhost::sev_host(3, 1));
    const auto usage = launcher->usage();
    EXPECT_EQ(usage.sev.running, 2u);
    EXPECT_EQ(usage.sev_es.running, 1u);
    EXPECT_EQ(usage.locked_bytes, 3632 * kMiB); // (1024+16)+(2048+16)+(512+16), see the fixture
    ASSERT_EQ(launcher->guests().size(), 1u);
    EXPECT_EQ(launcher->guests()[0].name, "sevd-web");
    EXPECT_EQ(launcher->guests()[0].uuid, "11111111-2222-4333-8444-555555555501");

    EXPECT_EQ(refusal(*launcher, request("es-2", images_.disk(), "amd-sev-es")),
              ErrorCode::NoSlots);                                       // 1 of 1
    EXPECT_NO_THROW(launcher->launch(request("sev-3", images_.disk()))); // 3rd of 3
    EXPECT_EQ(refusal(*launcher, request("sev-4", images_.disk())), ErrorCode::NoSlots);
}

TEST_F(TestDriverLaunch, NodeFileMemoryIsCountedAtStart) {
    // 3632 MiB locked; a 1024 MiB guest needs 1040 → fits exactly under 4672 MiB.
    auto exact = make(node_file_uri(), testhost::sev_host(10, 10), 4672 * kMiB);
    EXPECT_NO_THROW(exact->launch(request("fits", images_.disk(), "amd-sev", 1024)));
    auto short_by_one = make(node_file_uri(), testhost::sev_host(10, 10), 4671 * kMiB);
    EXPECT_EQ(refusal(*short_by_one, request("fits", images_.disk(), "amd-sev", 1024)),
              ErrorCode::InsufficientMemory);
}

TEST_F(TestDriverLaunch, StopRefusesGuestsSevdDidNotLaunch) {
    auto launcher = make(node_file_uri(), testhost::sev_host(10, 10));
    try {
        launcher->stop("other-sev");
        FAIL();
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
    EXPECT_NO_THROW(launcher->stop("sevd-web"));
    EXPECT_EQ(launcher->usage().sev.running, 1u);
}

TEST_F(TestDriverLaunch, StopRemovesAPoweredOffGuestSevdLaunched) {
    auto launcher = make(node_file_uri(), testhost::sev_host(10, 10));
    const auto info = launcher->stop("sevd-powered-off");
    EXPECT_EQ(info.uuid, "11111111-2222-4333-8444-555555555506");
    EXPECT_EQ(info.model, EncryptionModel::SevEs);
    EXPECT_EQ(info.memory_mib, 1024u);
    EXPECT_THROW(launcher->stop("sevd-powered-off"), LaunchError); // gone now
    EXPECT_THROW(launcher->stop("sev-shut-off"), LaunchError);     // not sevd's
    // The name is free again.
    EXPECT_NO_THROW(launcher->launch(request("sevd-powered-off", images_.disk(), "amd-sev-es")));
}

TEST_F(TestDriverLaunch, FailureAfterReservingReleasesTheSlot) {
    auto launcher = make(kTestUri, testhost::sev_host(1, 0));
    // test:///default always holds a domain named "test": refused after the reservation.
    EXPECT_EQ(refusal(*launcher, request("test", images_.disk())), ErrorCode::InvalidArgument);
    EXPECT_EQ(launcher->usage().sev.reserved, 0u);
    EXPECT_NO_THROW(launcher->launch(request("after", images_.disk())));
}

TEST_F(TestDriverLaunch, DiskOutsideOrEscapingAndBadNamesAreRefused) {
    auto launcher = make(kTestUri, testhost::sev_host(5, 0));
    testhost::ImageDir outside("td-outside");
    EXPECT_EQ(refusal(*launcher, request("out", outside.disk())), ErrorCode::InvalidArgument);
    std::filesystem::create_symlink(outside.disk(), images_.path() / "escape.img");
    EXPECT_EQ(refusal(*launcher, request("esc", (images_.path() / "escape.img").string())),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(refusal(*launcher, request("a<b>&'\"", images_.disk())), ErrorCode::InvalidArgument);
    EXPECT_EQ(launcher->usage().sev.reserved + launcher->usage().sev.running, 0u);
}

TEST_F(TestDriverLaunch, TrickyDiskPathReachesLibvirtIntact) {
    auto launcher = make(kTestUri, testhost::sev_host(5, 0));
    const auto tricky = images_.path() / "it's \"a\" & <b>.img";
    std::ofstream(tricky) << "raw";
    launcher->launch(request("tricky", tricky.string()));
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(TestDriverView().running_xml("tricky").c_str()));
    EXPECT_EQ(std::string(doc.select_node("/domain/devices/disk/source/@file").attribute().value()),
              std::filesystem::canonical(tricky).string());
    launcher->stop("tricky");
}

template <typename Request>
std::pair<int, int> launch_concurrently(Launcher& launcher, int threads, ErrorCode refused_with,
                                        Request make_request) {
    std::atomic<int> ok{0}, refused{0};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&, i] {
            try {
                launcher.launch(make_request(i));
                ++ok;
            } catch (const LaunchError& e) {
                if (e.code() == refused_with)
                    ++refused;
            }
        });
    for (auto& t : pool)
        t.join();
    return {ok.load(), refused.load()};
}

TEST_F(TestDriverLaunch, ConcurrentLaunchesNeverExceedTheSlots) {
    constexpr int kThreads = 12;
    constexpr uint32_t kSlots = 3;
    auto launcher = make(kTestUri, testhost::sev_host(kSlots, 0));
    const auto [ok, refused] =
        launch_concurrently(*launcher, kThreads, ErrorCode::NoSlots, [&](int i) {
            return request("slot-" + std::to_string(i), images_.disk());
        });
    EXPECT_EQ(ok, static_cast<int>(kSlots));
    EXPECT_EQ(refused, kThreads - static_cast<int>(kSlots));
    EXPECT_EQ(launcher->guests().size(), kSlots);
}

TEST_F(TestDriverLaunch, ConcurrentLaunchesNeverExceedTheMemoryLimit) {
    constexpr int kThreads = 12;
    constexpr int kFit = 4;
    // Each 512 MiB guest locks 512 + 16 = 528 MiB; the limit holds exactly 4.
    auto launcher = make(kTestUri, testhost::sev_host(100, 0), kFit * 528 * kMiB);
    const auto [ok, refused] =
        launch_concurrently(*launcher, kThreads, ErrorCode::InsufficientMemory, [&](int i) {
            return request("mem-" + std::to_string(i), images_.disk());
        });
    EXPECT_EQ(ok, kFit);
    EXPECT_EQ(refused, kThreads - kFit);
}

TEST_F(TestDriverLaunch, UnreachableLibvirtIsALibvirtError) {
    const auto bad_uri = "test:///nonexistent/node.xml";
    Launcher launcher(images_.config(bad_uri), std::make_unique<LibvirtClient>(bad_uri));
    launcher.update_host(testhost::sev_host(5, 5), 0);
    EXPECT_EQ(refusal(launcher, request("x", images_.disk())), ErrorCode::Libvirt);
    EXPECT_EQ(launcher.usage().sev.reserved, 0u);
}

} // namespace
} // namespace sevd::launcher
