// The descriptor hand-over against a real libvirtd (QEMU driver, Debian 12's
// libvirt 9.0) and a real QEMU (TCG, no KVM or SEV needed): the image is
// opened by sevd's opener, the symlink naming it is swapped to another file
// before libvirt is called, and the QEMU process that starts holds the file
// that was checked, not the one swapped in. The domain is a plain TCG guest
// because this machine cannot run SEV; the path under test (fdgroup source,
// virDomainFDAssociate between define and start) is the one sevd's launches use.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include <gtest/gtest.h>

#include "launcher/image_resolver.h"
#include "launcher/launch_error.h"
#include "libvirt_helper/libvirt_client.h"
#include "libvirt_helper/libvirt_handles.h"
#include "tests/integration/launcher/launch_test_host.h"
#include "tests/support/shared_libvirtd.h"

namespace sevd::launcher {

using libvirt_helper::LibvirtClient;
namespace {

namespace fs = std::filesystem;

class FdHandOver : public test::SharedLibvirtd<FdHandOver> {
protected:
    void SetUp() override {
        SharedLibvirtd::SetUp();
        if (libvirtd_missing())
            return;
        if (!fs::exists("/usr/bin/qemu-system-x86_64"))
            GTEST_SKIP() << "qemu-system-x86_64 is not installed (package qemu-system-x86)";
        fs::create_directories(dir_.path() / "images");
        checked_ = dir_.path() / "images" / "checked.img";
        swapped_ = dir_.path() / "images" / "swapped.img";
        for (const auto& image : {checked_, swapped_}) {
            std::ofstream(image).close();
            fs::resize_file(image, 1 << 20);
        }
        fs::create_symlink(checked_, dir_.path() / "images" / "current.img");
    }
    void TearDown() override {
        if (!libvirtd_)
            return;
        LibvirtClient client(libvirtd_->uri());
        if (const auto domain = client.find_domain(kName))
            (void)client.destroy_and_undefine(domain->uuid);
    }

    // A TCG guest (no firmware, no boot) whose one disk arrives as fd group
    // disk-0 (and its backing file, when given, as disk-1).
    static std::string tcg_xml(const std::string& path, const std::string& backing = {}) {
        const std::string driver = backing.empty() ? "raw" : "qcow2";
        const std::string chain =
            backing.empty() ? "<backingStore/>"
                            : "<backingStore type='file'><format type='raw'/><source file='" +
                                  backing + "' fdgroup='disk-1'/><backingStore/></backingStore>";
        return "<domain type='qemu'><name>" + std::string(kName) +
               "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
               "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
               "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
               "<disk type='file' device='disk'><driver name='qemu' type='" +
               driver + "'/><source file='" + path + "' fdgroup='disk-0'/>" + chain +
               "<target dev='vda' bus='virtio'/></disk>"
               "<video><model type='none'/></video>"
               "<memballoon model='none'/></devices></domain>";
    }

    // Inodes of the regular files the running QEMU of the guest holds open.
    static std::vector<ino_t> qemu_open_inodes() {
        for (const auto& entry : fs::directory_iterator("/proc")) {
            std::ifstream cmdline(entry.path() / "cmdline");
            std::string text((std::istreambuf_iterator<char>(cmdline)), {});
            if (text.find(std::string("guest=") + kName) == std::string::npos ||
                text.find("qemu-system") == std::string::npos)
                continue;
            std::vector<ino_t> inodes;
            std::error_code ec;
            for (const auto& fd : fs::directory_iterator(entry.path() / "fd", ec)) {
                struct stat st {};
                if (stat(fd.path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
                    inodes.push_back(st.st_ino);
            }
            return inodes;
        }
        return {};
    }

    void start(const std::string& xml, const std::vector<FdGroup>& fds) {
        try {
            LibvirtClient(libvirtd_->uri()).define_and_start(xml, fds);
        } catch (const LaunchError& e) {
            const std::string message = e.what();
            if (message.find("Operation not permitted") != std::string::npos ||
                message.find("memlock") != std::string::npos)
                GTEST_SKIP() << "this sandbox cannot start QEMU under libvirtd: " << message;
            FAIL() << message << "\n" << libvirtd_->log();
        }
    }
    static std::vector<ino_t> held_inodes() {
        std::vector<ino_t> held;
        for (int i = 0; i < 200 && held.empty(); ++i) {
            held = qemu_open_inodes();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return held;
    }

    static ino_t inode_of(const fs::path& path) {
        struct stat st {};
        stat(path.c_str(), &st);
        return st.st_ino;
    }

    static constexpr const char* kName = "sevd-fd-handover";
    testhost::ImageDir dir_{"fd-handover"};
    fs::path checked_, swapped_;
};

TEST_F(FdHandOver, QemuHoldsTheCheckedFileAfterASymlinkSwap) {
    const std::vector<fs::path> dirs{dir_.path() / "images"};
    auto opened = open_image((dir_.path() / "images" / "current.img").string(), ImageFormat::Raw,
                             dirs, {"disk", "disk", true});
    ASSERT_EQ(opened.image.chain[0].fd_group, "disk-0");
    // The window a launch has between the check and libvirt: swap the link.
    fs::remove(dir_.path() / "images" / "current.img");
    fs::create_symlink(swapped_, dir_.path() / "images" / "current.img");

    start(tcg_xml(opened.image.chain[0].path), {{"disk-0", opened.fds[0].get()}});
    const auto held = held_inodes();
    ASSERT_FALSE(held.empty()) << "no running QEMU found for " << kName;
    EXPECT_NE(std::find(held.begin(), held.end(), inode_of(checked_)), held.end());
    EXPECT_EQ(std::find(held.begin(), held.end(), inode_of(swapped_)), held.end());
}

// libvirt 9.0 takes fd groups on backing files too: QEMU holds both files of
// a qcow2 -> raw chain, each handed over as its own group.
TEST_F(FdHandOver, BackingFilesArriveAsTheirOwnGroups) {
    const auto images = dir_.path() / "images";
    const auto command = "cd '" + images.string() +
                         "' && qemu-img create -f qcow2 -b checked.img -F raw top.qcow2 "
                         ">/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
    auto opened = open_image((images / "top.qcow2").string(), ImageFormat::Qcow2, {images},
                             {"disk", "disk", true});
    ASSERT_EQ(opened.image.chain.size(), 2u);
    start(tcg_xml(opened.image.chain[0].path, opened.image.chain[1].path),
          {{"disk-0", opened.fds[0].get()}, {"disk-1", opened.fds[1].get()}});
    const auto held = held_inodes();
    EXPECT_NE(std::find(held.begin(), held.end(), inode_of(images / "top.qcow2")), held.end());
    EXPECT_NE(std::find(held.begin(), held.end(), inode_of(checked_)), held.end());
}

} // namespace
} // namespace sevd::launcher
