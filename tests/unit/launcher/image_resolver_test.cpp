// The boot disk must resolve, after symlinks, inside an image directory.
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "launcher/image_resolver.h"
#include "launcher/launch_error.h"

namespace sevd::launcher {
namespace {

namespace fs = std::filesystem;

class ImageResolver : public testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("sevd-images-" + std::to_string(getpid()));
        fs::remove_all(root_);
        fs::create_directories(images_());
        fs::create_directories(root_ / "outside");
        std::ofstream(images_() / "raw.img") << "plain bytes";
        std::ofstream(images_() / "disk.qcow2") << "QFI\xfb rest of header";
        std::ofstream(root_ / "outside" / "secret.img") << "x";
        fs::create_directory_symlink(images_(), root_ / "images-link");
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path images_() const { return root_ / "images"; }
    std::vector<fs::path> dirs() const { return {root_ / "other", images_()}; }

    ErrorCode refusal(const std::string& disk) const {
        try {
            resolve_image(disk, dirs());
        } catch (const LaunchError& e) {
            return e.code();
        }
        ADD_FAILURE() << disk << " accepted";
        return ErrorCode::Libvirt;
    }

    fs::path root_;
};

TEST_F(ImageResolver, AcceptsFilesInsideAndReadsTheirFormat) {
    const auto raw = resolve_image((images_() / "raw.img").string(), dirs());
    EXPECT_EQ(raw.path, fs::canonical(images_() / "raw.img").string());
    EXPECT_EQ(raw.kind, ImageKind::File);
    EXPECT_EQ(raw.format, ImageFormat::Raw);
    EXPECT_EQ(resolve_image((images_() / "disk.qcow2").string(), dirs()).format,
              ImageFormat::Qcow2);
}

TEST_F(ImageResolver, SymlinkInsideToInsideIsFine) {
    fs::create_symlink(images_() / "raw.img", images_() / "alias.img");
    EXPECT_EQ(resolve_image((images_() / "alias.img").string(), dirs()).path,
              fs::canonical(images_() / "raw.img").string());
}

TEST_F(ImageResolver, ImageDirectoryGivenThroughASymlinkIsCanonicalised) {
    const std::vector<fs::path> via_link = {root_ / "images-link"};
    EXPECT_NO_THROW(resolve_image((images_() / "raw.img").string(), via_link));
}

TEST_F(ImageResolver, RefusesPathsOutside) {
    EXPECT_EQ(refusal((root_ / "outside" / "secret.img").string()), ErrorCode::InvalidArgument);
    EXPECT_EQ(refusal((images_() / ".." / "outside" / "secret.img").string()),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(refusal("/etc/passwd"), ErrorCode::InvalidArgument);
}

TEST_F(ImageResolver, RefusesASymlinkEscapingTheDirectory) {
    fs::create_symlink(root_ / "outside" / "secret.img", images_() / "escape.img");
    EXPECT_EQ(refusal((images_() / "escape.img").string()), ErrorCode::InvalidArgument);
    fs::create_directory_symlink(root_ / "outside", images_() / "subdir");
    EXPECT_EQ(refusal((images_() / "subdir" / "secret.img").string()), ErrorCode::InvalidArgument);
}

TEST_F(ImageResolver, RefusesMissingFilesDirectoriesAndTheDirectoryItself) {
    EXPECT_EQ(refusal((images_() / "missing.img").string()), ErrorCode::InvalidArgument);
    fs::create_directory(images_() / "dir.img");
    EXPECT_EQ(refusal((images_() / "dir.img").string()), ErrorCode::InvalidArgument);
    EXPECT_EQ(refusal(images_().string()), ErrorCode::InvalidArgument);
}

TEST_F(ImageResolver, RefusesASiblingWithACommonPrefix) {
    fs::create_directories(root_ / "images2");
    std::ofstream(root_ / "images2" / "x.img") << "x";
    EXPECT_EQ(refusal((root_ / "images2" / "x.img").string()), ErrorCode::InvalidArgument);
}

TEST_F(ImageResolver, RefusesATargetWhoseNameIsNotUtf8) {
    // Linux names are bytes; a symlink may lead to one that XML and D-Bus cannot carry.
    std::ofstream(images_() / "bad\xff.img") << "x";
    fs::create_symlink(images_() / "bad\xff.img", images_() / "good.img");
    try {
        resolve_image((images_() / "good.img").string(), dirs());
        FAIL();
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("bad?.img"), std::string::npos) << e.what();
    }
}

TEST_F(ImageResolver, MessageNamesThePathAndTheDirectories) {
    try {
        resolve_image((root_ / "outside" / "secret.img").string(), dirs());
        FAIL();
    } catch (const LaunchError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("secret.img"), std::string::npos);
        EXPECT_NE(message.find(images_().string()), std::string::npos);
    }
}

} // namespace
} // namespace sevd::launcher
