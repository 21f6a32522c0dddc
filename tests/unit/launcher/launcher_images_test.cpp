// The launcher hands libvirt the files it checked: a symlink swapped after the
// check (while the launch waits for admission and libvirt) changes nothing,
// because the descriptors opened at the check are what libvirt gets. Start
// re-opens a powered-off guest's images the same way and is admitted exactly
// like a launch. libvirt is a recording fake here; the integration tests run
// the same paths against libvirt's test driver and a real libvirtd.
#include <filesystem>
#include <fstream>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "launcher/launcher.h"
#include "tests/integration/launcher/launch_test_host.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

ino_t inode_of_fd(int fd) {
    struct stat st {};
    EXPECT_EQ(fstat(fd, &st), 0);
    return st.st_ino;
}

ino_t inode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0);
    return st.st_ino;
}

// Records what libvirt would be given; `before_define` runs in the window
// between the check and the definition.
class RecordingDomains : public LibvirtDomains {
public:
    std::function<void()> before_define;
    std::string xml;
    std::vector<std::pair<std::string, ino_t>> given; // fd group -> inode of its descriptor
    std::optional<DomainRecord> defined;              // what find_domain() returns
    std::vector<DomainRecord> running;                // list_encrypted_running()
    std::vector<std::string> calls;

    const std::string& uri() const override { return uri_; }
    void ensure_connected() override {}
    uint64_t generation() const override { return 1; }
    std::string define_and_start(const std::string& domain_xml,
                                 const std::vector<FdGroup>& fds) override {
        xml = domain_xml;
        record(fds);
        calls.push_back("define_and_start");
        return "0b8a7f5e-0000-4000-8000-000000000001";
    }
    bool destroy_and_undefine(const std::string&) override { return true; }
    bool domain_exists(const std::string&) override {
        if (before_define)
            before_define();
        return false;
    }
    std::optional<DomainRecord> find_domain(const std::string&) override { return defined; }
    bool listing_fails = false; // list_encrypted_running() as with libvirt gone mid-way
    std::vector<DomainRecord> list_encrypted_running() override {
        if (listing_fails)
            throw LaunchError(ErrorCode::Libvirt, "listing running domains failed");
        return running;
    }
    std::vector<DomainRecord> list_sevd_domains() override {
        return defined ? std::vector{*defined} : std::vector<DomainRecord>{};
    }
    void start(const std::string& name, const std::vector<FdGroup>& fds) override {
        record(fds);
        calls.push_back("start " + name);
    }
    void shutdown(const std::string& name) override { calls.push_back("shutdown " + name); }
    std::string define_and_start_paused(const std::string& domain_xml,
                                        const std::vector<FdGroup>& fds) override {
        calls.push_back("define_and_start_paused");
        xml = domain_xml;
        record(fds);
        return "0b8a7f5e-0000-4000-8000-000000000002";
    }
    SevCertificates sev_certificates() override { return {}; }
    LaunchMeasurement launch_measurement(const std::string&) override { return {}; }
    void inject_launch_secret(const std::string& name, const LaunchSecret&) override {
        calls.push_back("inject " + name);
    }
    void resume(const std::string& name) override { calls.push_back("resume " + name); }

private:
    void record(const std::vector<FdGroup>& fds) {
        given.clear();
        for (const auto& group : fds)
            given.emplace_back(group.name, inode_of_fd(group.fd));
    }
    std::string uri_ = "test:///fake";
};

class LauncherImages : public testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(images());
        fs::create_directories(dir_.path() / "outside");
        std::ofstream(disk()) << "raw disk";
        std::ofstream(images() / "other.img") << "another guest's disk";
        std::ofstream(dir_.path() / "outside" / "host-secret") << "host file";
        fs::create_symlink(disk(), images() / "current.img");
        auto config = dir_.config("test:///fake");
        config.image_dirs = {images()};
        auto fake = std::make_unique<RecordingDomains>();
        domains_ = fake.get();
        launcher_ = std::make_unique<Launcher>(config, std::move(fake));
        launcher_->update_host(testhost::sev_host(1, 1), 0);
    }

    fs::path images() const { return dir_.path() / "images"; }
    fs::path disk() const { return images() / "disk.img"; }

    LaunchRequest request(const std::string& disk) const { return {"guest-1", 1024, 1, disk, {}}; }
    DomainRecord powered_off() const {
        DomainRecord record;
        record.name = "guest-1";
        record.uuid = "0b8a7f5e-0000-4000-8000-000000000001";
        record.pool = EncryptionModel::Sev;
        record.memory_mib = 1024;
        record.launched_by_sevd = true;
        record.disks = {{ResolvedImage{{{fs::canonical(disk()).string(), ImageKind::File,
                                         ImageFormat::Raw, "disk-0"}}},
                         false}};
        return record;
    }
    ErrorCode start_refusal() {
        try {
            launcher_->start("guest-1");
        } catch (const LaunchError& e) {
            return e.code();
        }
        ADD_FAILURE() << "start accepted";
        return ErrorCode::Libvirt;
    }

    testhost::ImageDir dir_{"launcher-images"};
    RecordingDomains* domains_ = nullptr;
    std::unique_ptr<Launcher> launcher_;
};

TEST_F(LauncherImages, SymlinkSwappedDuringTheLaunchChangesNothing) {
    const auto checked = inode_of(disk());
    for (const auto& target : {dir_.path() / "outside" / "host-secret", images() / "other.img"}) {
        domains_->before_define = [&] {
            fs::remove(images() / "current.img");
            fs::create_symlink(target, images() / "current.img");
        };
        launcher_->launch(request((images() / "current.img").string()));
        ASSERT_EQ(domains_->given.size(), 1u);
        EXPECT_EQ(domains_->given[0].first, "disk-0");
        EXPECT_EQ(domains_->given[0].second, checked) << "libvirt got the file swapped in";
        EXPECT_NE(domains_->xml.find("file=\"" + fs::canonical(disk()).string() +
                                     "\" fdgroup=\"disk-0\""),
                  std::string::npos)
            << domains_->xml;
        launcher_->stop("guest-1");
        fs::remove(images() / "current.img");
        fs::create_symlink(disk(), images() / "current.img");
    }
}

TEST_F(LauncherImages, SeedIsOpenedReadOnlyAndHandedOverToo) {
    std::ofstream(images() / "seed.iso") << "cidata";
    auto r = request(disk().string());
    r.properties["sevd:seed"] = (images() / "seed.iso").string();
    launcher_->launch(r);
    ASSERT_EQ(domains_->given.size(), 2u);
    EXPECT_EQ(domains_->given[1].first, "seed-0");
    EXPECT_EQ(domains_->given[1].second, inode_of(images() / "seed.iso"));
    EXPECT_NE(domains_->xml.find("<readonly"), std::string::npos);
}

TEST_F(LauncherImages, SeedOutsideTheImageDirectoriesIsRefused) {
    auto r = request(disk().string());
    r.properties["sevd:seed"] = (dir_.path() / "outside" / "host-secret").string();
    try {
        launcher_->launch(r);
        FAIL();
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("seed '"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(domains_->calls.empty());
}

TEST_F(LauncherImages, StartReopensTheImagesAndIsAdmittedLikeALaunch) {
    domains_->defined = powered_off();
    const auto info = launcher_->start("guest-1");
    EXPECT_EQ(info.uuid, "0b8a7f5e-0000-4000-8000-000000000001");
    ASSERT_EQ(domains_->given.size(), 1u);
    EXPECT_EQ(domains_->given[0], (std::pair<std::string, ino_t>{"disk-0", inode_of(disk())}));
    EXPECT_EQ(launcher_->usage().sev.used, 1u);
    const auto all = launcher_->all_guests();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].running);
}

TEST_F(LauncherImages, StartRefusedWithoutASlot) {
    domains_->defined = powered_off();
    DomainRecord other = powered_off();
    other.name = "someone-else";
    other.active = true;
    domains_->running = {other}; // the one SEV slot is taken
    EXPECT_EQ(start_refusal(), ErrorCode::NoSlots);
    EXPECT_EQ(domains_->calls, std::vector<std::string>{});
}

TEST_F(LauncherImages, StartRefusedWithoutMemory) {
    domains_->defined = powered_off();
    // 1024 MiB + 16 MiB overhead does not fit under a 1 GiB limit.
    launcher_->update_host(testhost::sev_host(1, 1), 1024ull * 1024 * 1024);
    EXPECT_EQ(start_refusal(), ErrorCode::InsufficientMemory);
}

TEST_F(LauncherImages, StartRefusesRunningForeignAndChangedGuests) {
    EXPECT_EQ(start_refusal(), ErrorCode::InvalidArgument); // no such guest
    auto record = powered_off();
    record.launched_by_sevd = false;
    domains_->defined = record;
    EXPECT_EQ(start_refusal(), ErrorCode::InvalidArgument); // not sevd's
    record = powered_off();
    record.active = true;
    domains_->defined = record;
    EXPECT_EQ(start_refusal(), ErrorCode::InvalidArgument); // running already
    record = powered_off();
    record.disks[0].image.chain[0].format = ImageFormat::Qcow2; // the raw file is no qcow2 now
    domains_->defined = record;
    EXPECT_EQ(start_refusal(), ErrorCode::InvalidArgument);
    EXPECT_TRUE(domains_->calls.empty());
}

TEST_F(LauncherImages, ShutdownAsksARunningGuestOnly) {
    auto record = powered_off();
    domains_->defined = record;
    EXPECT_THROW(launcher_->shutdown("guest-1"), LaunchError); // powered off already
    record.active = true;
    domains_->defined = record;
    launcher_->shutdown("guest-1");
    EXPECT_EQ(domains_->calls, std::vector<std::string>{"shutdown guest-1"});
}

// A re-sync that failed leaves the ledger possibly short: one is owed (the
// daemon re-reads libvirt for it, a launch runs it first) until one succeeds.
TEST_F(LauncherImages, AFailedResyncIsOwedUntilOneSucceeds) {
    EXPECT_FALSE(launcher_->needs_resync());
    domains_->listing_fails = true;
    EXPECT_THROW(launcher_->resync(), LaunchError);
    EXPECT_TRUE(launcher_->needs_resync());
    domains_->listing_fails = false;
    launcher_->resync();
    EXPECT_FALSE(launcher_->needs_resync());
}

} // namespace
} // namespace sevd::launcher
