// Images open beneath an image directory: the file after every symlink must lie
// inside one, its format is the one stated (never read from a raw image's
// bytes), and a qcow2 image's whole backing chain must lie inside too, each
// link's format stated by the image. Chains are built with qemu-img.
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "launcher/image_resolver.h"
#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

const ImageUse kDisk{"disk", "disk", true};

class ImageResolver : public testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("sevd-images-" + std::to_string(getpid()));
        fs::remove_all(root_);
        fs::create_directories(images_());
        fs::create_directories(root_ / "outside");
        std::ofstream(images_() / "raw.img") << "plain bytes";
        std::ofstream(root_ / "outside" / "secret.img") << "x";
        fs::create_directory_symlink(images_(), root_ / "images-link");
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path images_() const { return root_ / "images"; }
    std::vector<fs::path> dirs() const { return {root_ / "other", images_()}; }

    OpenedImage open(const fs::path& path, ImageFormat format = ImageFormat::Raw) const {
        return open_image(path.string(), format, dirs(), kDisk);
    }
    std::string refusal(const fs::path& path, ImageFormat format = ImageFormat::Raw) const {
        try {
            open(path, format);
        } catch (const LaunchError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
            return e.what();
        }
        ADD_FAILURE() << path << " accepted";
        return {};
    }
    // Runs qemu-img in `dir`; skips the test when qemu-img is missing.
    void qemu_img(const fs::path& dir, const std::string& args) const {
        const auto command = "cd '" + dir.string() + "' && qemu-img " + args + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0) << "qemu-img " << args;
    }
    bool has_qemu_img() const { return std::system("qemu-img --version >/dev/null 2>&1") == 0; }

    fs::path root_;
};

std::string real_path(const fs::path& path) {
    return fs::canonical(path).string();
}

TEST_F(ImageResolver, RawFileIsOpenedOnceAndDescribed) {
    const auto image = open(images_() / "raw.img");
    ASSERT_EQ(image.image.chain.size(), 1u);
    const ImageLayer expected{real_path(images_() / "raw.img"), ImageKind::File, ImageFormat::Raw,
                              "disk-0"};
    EXPECT_EQ(image.image.chain[0], expected);
    ASSERT_EQ(image.fds.size(), 1u);
    struct stat by_fd {
    }, by_path{};
    ASSERT_EQ(fstat(image.fds[0].get(), &by_fd), 0);
    ASSERT_EQ(stat((images_() / "raw.img").c_str(), &by_path), 0);
    EXPECT_EQ(by_fd.st_ino, by_path.st_ino);
}

TEST_F(ImageResolver, SymlinkInsideToInsideIsFine) {
    fs::create_symlink(images_() / "raw.img", images_() / "alias.img");
    EXPECT_EQ(open(images_() / "alias.img").image.chain[0].path, real_path(images_() / "raw.img"));
}

TEST_F(ImageResolver, ImageDirectoryGivenThroughASymlinkIsCanonicalised) {
    const std::vector<fs::path> via_link = {root_ / "images-link"};
    EXPECT_NO_THROW(
        open_image((images_() / "raw.img").string(), ImageFormat::Raw, via_link, kDisk));
}

TEST_F(ImageResolver, RefusesPathsOutside) {
    EXPECT_NE(refusal(root_ / "outside" / "secret.img").find("outside the image directories"),
              std::string::npos);
    EXPECT_NE(refusal(images_() / ".." / "outside" / "secret.img").find("outside"),
              std::string::npos);
    EXPECT_NE(refusal("/etc/passwd").find("outside"), std::string::npos);
}

TEST_F(ImageResolver, RefusesASymlinkEscapingTheDirectory) {
    fs::create_symlink(root_ / "outside" / "secret.img", images_() / "escape.img");
    EXPECT_NE(refusal(images_() / "escape.img").find("outside"), std::string::npos);
    fs::create_directory_symlink(root_ / "outside", images_() / "subdir");
    EXPECT_NE(refusal(images_() / "subdir" / "secret.img").find("outside"), std::string::npos);
}

TEST_F(ImageResolver, RefusesMissingFilesDirectoriesAndTheDirectoryItself) {
    EXPECT_NE(refusal(images_() / "missing.img").find("cannot be resolved"), std::string::npos);
    fs::create_directory(images_() / "dir.img");
    EXPECT_NE(refusal(images_() / "dir.img").find("neither a regular file"), std::string::npos);
    EXPECT_NE(refusal(images_()).find("outside"), std::string::npos);
    ASSERT_EQ(mkfifo((images_() / "fifo.img").c_str(), 0600), 0); // must not hang the open
    EXPECT_NE(refusal(images_() / "fifo.img").find("neither a regular file"), std::string::npos);
}

TEST_F(ImageResolver, RefusesASiblingWithACommonPrefix) {
    fs::create_directories(root_ / "images2");
    std::ofstream(root_ / "images2" / "x.img") << "x";
    EXPECT_NE(refusal(root_ / "images2" / "x.img").find("outside"), std::string::npos);
}

TEST_F(ImageResolver, RefusesATargetWhoseNameIsNotUtf8) {
    // Linux names are bytes; a symlink may lead to one that XML and D-Bus cannot carry.
    std::ofstream(images_() / "bad\xff.img") << "x";
    fs::create_symlink(images_() / "bad\xff.img", images_() / "good.img");
    try {
        open(images_() / "good.img");
        FAIL();
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("bad?.img"), std::string::npos) << e.what();
    }
}

TEST_F(ImageResolver, MessageNamesThePathAndTheDirectories) {
    try {
        open(root_ / "outside" / "secret.img");
        FAIL();
    } catch (const LaunchError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("secret.img"), std::string::npos);
        EXPECT_NE(message.find(images_().string()), std::string::npos);
    }
}

TEST_F(ImageResolver, RawImageWithQcow2BytesStaysRaw) {
    // A guest can write a qcow2 header naming a host file into its own raw disk.
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    qemu_img(root_ / "outside", "create -f raw host.raw 1M");
    qemu_img(images_(), "create -f qcow2 -b " + (root_ / "outside" / "host.raw").string() +
                            " -F raw looks-qcow2.img");
    const auto image = open(images_() / "looks-qcow2.img", ImageFormat::Raw);
    ASSERT_EQ(image.image.chain.size(), 1u); // its "backing file" is never looked at
    EXPECT_EQ(image.image.chain[0].format, ImageFormat::Raw);
}

TEST_F(ImageResolver, StatedQcow2ThatIsNotQcow2IsRefused) {
    EXPECT_NE(refusal(images_() / "raw.img", ImageFormat::Qcow2).find("disk_format=raw"),
              std::string::npos);
}

TEST_F(ImageResolver, ThreeLinkChainInsideIsStatedLinkByLink) {
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    fs::create_directories(images_() / "bases");
    qemu_img(images_() / "bases", "create -f raw base.raw 1M");
    qemu_img(images_() / "bases", "create -f qcow2 -b base.raw -F raw mid.qcow2");
    qemu_img(images_(), "create -f qcow2 -b bases/mid.qcow2 -F qcow2 top.qcow2");
    const auto image = open(images_() / "top.qcow2", ImageFormat::Qcow2);
    // top names bases/mid.qcow2 relative to its own directory; mid names base.raw
    // relative to bases/.
    const ResolvedImage expected{
        {{real_path(images_() / "top.qcow2"), ImageKind::File, ImageFormat::Qcow2, "disk-0"},
         {real_path(images_() / "bases" / "mid.qcow2"), ImageKind::File, ImageFormat::Qcow2,
          "disk-1"},
         {real_path(images_() / "bases" / "base.raw"), ImageKind::File, ImageFormat::Raw,
          "disk-2"}}};
    EXPECT_EQ(image.image, expected);
    EXPECT_EQ(image.fds.size(), 3u);
    // Only the top is opened for writing: backing files are read-only.
    EXPECT_EQ(fcntl(image.fds[0].get(), F_GETFL) & O_ACCMODE, O_RDWR);
    EXPECT_EQ(fcntl(image.fds[1].get(), F_GETFL) & O_ACCMODE, O_RDONLY);
    EXPECT_EQ(fcntl(image.fds[2].get(), F_GETFL) & O_ACCMODE, O_RDONLY);
}

TEST_F(ImageResolver, BackingFileOutsideIsRefusedNamingItAndTheFix) {
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    qemu_img(root_ / "outside", "create -f raw base.raw 1M");
    qemu_img(images_(), "create -f qcow2 -b " + (root_ / "outside" / "base.raw").string() +
                            " -F raw top.qcow2");
    const auto message = refusal(images_() / "top.qcow2", ImageFormat::Qcow2);
    EXPECT_NE(message.find("backing file of '" + real_path(images_() / "top.qcow2")),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("outside the image directories"), std::string::npos) << message;
    EXPECT_NE(message.find("qemu-img convert"), std::string::npos) << message;
}

TEST_F(ImageResolver, ExternalDataFileIsRefused) {
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    qemu_img(images_(), "create -f qcow2 -o data_file=data.raw with-data.qcow2 1M");
    const auto message = refusal(images_() / "with-data.qcow2", ImageFormat::Qcow2);
    EXPECT_NE(message.find("external file 'data.raw'"), std::string::npos) << message;
    EXPECT_NE(message.find("qemu-img convert"), std::string::npos) << message;
}

TEST_F(ImageResolver, BackingFileWithoutStatedFormatIsRefusedNotGuessed) {
    // A version 2 header written by hand from the specification: 72 bytes,
    // no extensions (so no backing format), backing name at offset 72.
    std::string header(512, '\0');
    const auto put = [&](size_t at, size_t width, uint64_t value) {
        for (size_t i = 0; i < width; ++i)
            header[at + i] = static_cast<char>(value >> (8 * (width - 1 - i)));
    };
    put(0, 4, 0x514649fb);
    put(4, 4, 2);
    put(8, 8, 72);
    put(16, 4, 8);
    put(20, 4, 16);
    header.replace(72, 8, "base.raw");
    std::ofstream(images_() / "base.raw") << "raw";
    std::ofstream(images_() / "v2.qcow2", std::ios::binary) << header;
    const auto message = refusal(images_() / "v2.qcow2", ImageFormat::Qcow2);
    EXPECT_NE(message.find("no stated format"), std::string::npos) << message;
    EXPECT_NE(message.find("qemu-img rebase -u -F"), std::string::npos) << message;
}

TEST_F(ImageResolver, BackingLoopIsRefused) {
    if (!has_qemu_img())
        GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
    qemu_img(images_(), "create -f qcow2 a.qcow2 1M");
    qemu_img(images_(), "create -f qcow2 -b a.qcow2 -F qcow2 b.qcow2");
    qemu_img(images_(), "rebase -u -b b.qcow2 -F qcow2 a.qcow2");
    EXPECT_NE(refusal(images_() / "b.qcow2", ImageFormat::Qcow2).find("loops"), std::string::npos);
}

} // namespace
} // namespace sevd::launcher
