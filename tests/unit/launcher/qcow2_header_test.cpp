// The qcow2 header reader against headers written byte by byte from QEMU's
// qcow2 specification (docs/interop/qcow2.txt), and against images that
// qemu-img itself created.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/qcow2_header.h"

namespace sevd::launcher {
namespace {

// A header as the specification lays it out; fields big-endian.
class HeaderBytes {
public:
    HeaderBytes(uint32_t version, size_t size) : bytes_(size, 0) {
        put(0, 4, 0x514649fb); // "QFI\xfb"
        put(4, 4, version);
        put(20, 4, 16); // cluster_bits: 64 KiB clusters
        if (version == 3) {
            put(96, 4, 4);    // refcount_order
            put(100, 4, 104); // header_length
        }
    }
    HeaderBytes& put(size_t at, size_t width, uint64_t value) {
        for (size_t i = 0; i < width; ++i)
            bytes_[at + i] = static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
        return *this;
    }
    HeaderBytes& text(size_t at, const std::string& value) {
        std::copy(value.begin(), value.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(at));
        return *this;
    }
    // A header extension at `at`: type, length, data padded to 8 bytes.
    size_t extension(size_t at, uint32_t type, const std::string& data) {
        put(at, 4, type);
        put(at + 4, 4, data.size());
        text(at + 8, data);
        return at + 8 + (data.size() + 7) / 8 * 8;
    }
    const std::vector<uint8_t>& bytes() const { return bytes_; }

private:
    std::vector<uint8_t> bytes_;
};

std::string refusal(const std::vector<uint8_t>& bytes) {
    try {
        decode_qcow2_header(bytes);
    } catch (const Qcow2Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(Qcow2Header, Version2WithBackingFileAndNoExtensions) {
    // v2: header 72 bytes, no extensions, backing name right after.
    HeaderBytes h(2, 512);
    h.put(8, 8, 72).put(16, 4, 8).text(72, "base.img");
    const auto header = decode_qcow2_header(h.bytes());
    EXPECT_EQ(header.version, 2u);
    EXPECT_EQ(header.cluster_bits, 16u);
    EXPECT_EQ(header.backing_file, "base.img");
    EXPECT_FALSE(header.backing_format); // v2 images written this way state none
    EXPECT_FALSE(header.external_data_file);
}

TEST(Qcow2Header, Version3BackingFormatExtension) {
    HeaderBytes h(3, 1024);
    size_t at = h.extension(104, 0xE2792ACA, "qcow2");      // 104 + 8 + 8 = 120
    at = h.extension(at, 0x6803f857, std::string(48, 'x')); // feature name table: skipped
    h.put(at, 8, 0);                                        // end of extensions
    h.put(8, 8, 512).put(16, 4, 12).text(512, "/images/base");
    const auto header = decode_qcow2_header(h.bytes());
    EXPECT_EQ(header.version, 3u);
    EXPECT_EQ(header.backing_file, "/images/base");
    EXPECT_EQ(header.backing_format, "qcow2");
}

TEST(Qcow2Header, ExternalDataFileNeedsBitTwoAndItsExtension) {
    HeaderBytes h(3, 512);
    h.put(72, 8, 1u << 2); // incompatible feature bit 2: external data file
    h.extension(104, 0x44415441, "data.raw");
    const auto header = decode_qcow2_header(h.bytes());
    EXPECT_TRUE(header.external_data_file);
    EXPECT_EQ(header.data_file, "data.raw");

    HeaderBytes without_name(3, 512);
    without_name.put(72, 8, 1u << 2);
    EXPECT_NE(refusal(without_name.bytes()).find("names none"), std::string::npos);

    HeaderBytes without_bit(3, 512); // the extension alone is ignored, as QEMU does
    without_bit.extension(104, 0x44415441, "data.raw");
    EXPECT_FALSE(decode_qcow2_header(without_bit.bytes()).data_file);
}

TEST(Qcow2Header, RefusesWhatItCannotVouchFor) {
    EXPECT_NE(refusal(std::vector<uint8_t>(104, 0)).find("magic"), std::string::npos);
    EXPECT_NE(refusal(HeaderBytes(4, 512).bytes()).find("version 4"), std::string::npos);
    EXPECT_NE(refusal(HeaderBytes(3, 512).put(72, 8, 1u << 5).bytes()).find("0x20"),
              std::string::npos); // unknown incompatible feature
    EXPECT_NE(refusal(HeaderBytes(3, 512).put(32, 4, 2).bytes()).find("encrypted"),
              std::string::npos); // LUKS
    EXPECT_NE(refusal(HeaderBytes(3, 512).put(20, 4, 8).bytes()).find("cluster_bits 8"),
              std::string::npos);
    EXPECT_NE(refusal(HeaderBytes(3, 512).put(100, 4, 100).bytes()).find("header_length"),
              std::string::npos);
    // Backing name of 1024 bytes: the specification's limit is 1023.
    EXPECT_NE(
        refusal(HeaderBytes(3, 4096).put(8, 8, 512).put(16, 4, 1024).bytes()).find("at most 1023"),
        std::string::npos);
    // Backing name beyond the first cluster (64 KiB).
    EXPECT_NE(refusal(HeaderBytes(3, 512).put(8, 8, 70000).put(16, 4, 4).bytes())
                  .find("outside the first cluster"),
              std::string::npos);
    // An extension whose length runs past the backing file name.
    HeaderBytes overlong(3, 1024);
    overlong.put(104, 4, 0xE2792ACA).put(108, 4, 400).put(8, 8, 256).put(16, 4, 4);
    EXPECT_NE(refusal(overlong.bytes()).find("runs past"), std::string::npos);
    // Cut short: 50 bytes are not a header.
    const auto whole = HeaderBytes(3, 512).bytes();
    const std::vector<uint8_t> cut(whole.begin(), whole.begin() + 50);
    EXPECT_NE(refusal(cut).find("cut short"), std::string::npos);
}

TEST(Qcow2Header, SpanIsTheFirstCluster) {
    EXPECT_EQ(qcow2_header_span(HeaderBytes(3, 104).bytes()), 65536u);
    EXPECT_EQ(qcow2_header_span(HeaderBytes(3, 104).put(20, 4, 9).bytes()), 512u);
}

// qemu-img's own output, read back: the extensions it writes are found.
class Qcow2FromQemuImg : public testing::Test {
protected:
    void SetUp() override {
        if (std::system("qemu-img --version >/dev/null 2>&1") != 0)
            GTEST_SKIP() << "qemu-img is not installed (package qemu-utils)";
        dir_ = std::filesystem::temp_directory_path() / ("sevd-qcow2-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void qemu_img(const std::string& args) {
        ASSERT_EQ(
            std::system(
                ("cd '" + dir_.string() + "' && qemu-img " + args + " >/dev/null 2>&1").c_str()),
            0)
            << args;
    }
    Qcow2Header read(const std::string& name) {
        std::ifstream in(dir_ / name, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
        bytes.resize(std::min(bytes.size(), qcow2_header_span(bytes)));
        return decode_qcow2_header(bytes);
    }
    std::filesystem::path dir_;
};

TEST_F(Qcow2FromQemuImg, BackingChainAndDataFile) {
    qemu_img("create -f raw base.raw 1M");
    qemu_img("create -f qcow2 -b base.raw -F raw mid.qcow2");
    qemu_img("create -f qcow2 -o compat=0.10 -b mid.qcow2 -F qcow2 top-v2.qcow2");
    qemu_img("create -f qcow2 -o data_file=data.raw plain-data.qcow2 1M");
    auto mid = read("mid.qcow2");
    EXPECT_EQ(mid.version, 3u);
    EXPECT_EQ(mid.backing_file, "base.raw");
    EXPECT_EQ(mid.backing_format, "raw");
    auto top = read("top-v2.qcow2");
    EXPECT_EQ(top.version, 2u);
    EXPECT_EQ(top.backing_file, "mid.qcow2");
    EXPECT_EQ(top.backing_format, "qcow2");
    auto data = read("plain-data.qcow2");
    EXPECT_TRUE(data.external_data_file);
    EXPECT_EQ(data.data_file, "data.raw");
    EXPECT_FALSE(data.backing_file);
}

} // namespace
} // namespace sevd::launcher
