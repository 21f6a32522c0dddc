#include "launcher/qcow2_header.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sevd::launcher {
namespace {

constexpr std::array<uint8_t, 4> kMagic = {'Q', 'F', 'I', 0xfb};

// Field offsets of the fixed header (big-endian).
constexpr size_t kVersionAt = 4;
constexpr size_t kBackingOffsetAt = 8;
constexpr size_t kBackingSizeAt = 16;
constexpr size_t kClusterBitsAt = 20;
constexpr size_t kCryptMethodAt = 32;
constexpr size_t kIncompatibleAt = 72;
constexpr size_t kHeaderLengthAt = 100;

constexpr size_t kVersion2HeaderBytes = 72;
constexpr uint32_t kMinClusterBits = 9;  // 512 bytes
constexpr uint32_t kMaxClusterBits = 21; // 2 MiB
constexpr uint64_t kMaxBackingNameBytes = 1023;
constexpr size_t kMaxFormatNameBytes = 15; // QEMU keeps it in a 16-byte buffer
constexpr size_t kMaxDataFileNameBytes = 4095;

// Incompatible feature bits sevd knows (QEMU 7.2 writes no others).
constexpr uint64_t kDirtyBit = 1u << 0;
constexpr uint64_t kCorruptBit = 1u << 1;
constexpr uint64_t kExternalDataFileBit = 1u << 2;
constexpr uint64_t kCompressionTypeBit = 1u << 3;
constexpr uint64_t kExtendedL2Bit = 1u << 4;
constexpr uint64_t kKnownIncompatible =
    kDirtyBit | kCorruptBit | kExternalDataFileBit | kCompressionTypeBit | kExtendedL2Bit;

constexpr uint32_t kExtensionEnd = 0x00000000;
constexpr uint32_t kExtensionBackingFormat = 0xE2792ACA;
constexpr uint32_t kExtensionDataFile = 0x44415441;

[[noreturn]] void bad(const std::string& why) {
    throw Qcow2Error("not a qcow2 image sevd can use: " + why);
}

uint64_t read_be(std::span<const uint8_t> bytes, size_t at, size_t width, const char* field) {
    if (at > bytes.size() || width > bytes.size() - at)
        bad(std::string("the header is cut short before ") + field);
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i)
        value = (value << 8) | bytes[at + i];
    return value;
}

uint32_t read32(std::span<const uint8_t> bytes, size_t at, const char* field) {
    return static_cast<uint32_t>(read_be(bytes, at, 4, field));
}

uint64_t read64(std::span<const uint8_t> bytes, size_t at, const char* field) {
    return read_be(bytes, at, 8, field);
}

// A name stored in the image: no NUL inside (QEMU would cut it there).
std::string read_name(std::span<const uint8_t> bytes, size_t at, size_t length, const char* field) {
    if (at > bytes.size() || length > bytes.size() - at)
        bad(std::string("the ") + field + " lies outside the first cluster");
    std::string name(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                     bytes.begin() + static_cast<std::ptrdiff_t>(at + length));
    if (name.find('\0') != std::string::npos)
        bad(std::string("the ") + field + " holds a NUL byte");
    return name;
}

uint32_t checked_version(std::span<const uint8_t> bytes) {
    if (!has_qcow2_magic(bytes))
        bad("it does not start with the qcow2 magic QFI\\xfb");
    const uint32_t version = read32(bytes, kVersionAt, "the version");
    if (version != 2 && version != 3)
        bad("version " + std::to_string(version) + " (accepted: 2 and 3)");
    return version;
}

uint32_t checked_cluster_bits(std::span<const uint8_t> bytes) {
    const uint32_t bits = read32(bytes, kClusterBitsAt, "cluster_bits");
    if (bits < kMinClusterBits || bits > kMaxClusterBits)
        bad("cluster_bits " + std::to_string(bits) + " (accepted: 9 to 21)");
    return bits;
}

size_t header_length(std::span<const uint8_t> bytes, uint32_t version, size_t cluster_bytes) {
    if (version == 2)
        return kVersion2HeaderBytes;
    const uint32_t length = read32(bytes, kHeaderLengthAt, "header_length");
    if (length < kQcow2FixedHeaderBytes || length % 8 != 0 || length > cluster_bytes)
        bad("header_length " + std::to_string(length) +
            " (version 3 needs a multiple of 8 from 104 up to the cluster size)");
    return length;
}

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

void check_incompatible(uint64_t features) {
    const uint64_t unknown = features & ~kKnownIncompatible;
    if (unknown != 0)
        bad("incompatible feature bits " + hex(unknown) + " that sevd does not know");
}

// Header extensions: {u32 type, u32 length, data padded to 8 bytes}, until
// type 0 or `end` (the backing file name, else the end of the first cluster).
void read_extensions(std::span<const uint8_t> bytes, size_t start, size_t end, Qcow2Header& out) {
    bool format_seen = false;
    bool data_file_seen = false;
    size_t at = start;
    while (at <= end && end - at >= 8) {
        const uint32_t type = read32(bytes, at, "a header extension");
        const uint32_t length = read32(bytes, at + 4, "a header extension");
        if (type == kExtensionEnd)
            return;
        const size_t data_at = at + 8;
        const uint64_t padded = (uint64_t{length} + 7) / 8 * 8;
        if (padded > end - data_at)
            bad("header extension " + hex(type) + " runs past its area");
        if (type == kExtensionBackingFormat) {
            if (format_seen || length > kMaxFormatNameBytes)
                bad("a duplicate or over-long backing format extension");
            out.backing_format = read_name(bytes, data_at, length, "backing format");
            format_seen = true;
        } else if (type == kExtensionDataFile) {
            if (data_file_seen || length > kMaxDataFileNameBytes)
                bad("a duplicate or over-long external data file extension");
            out.data_file = read_name(bytes, data_at, length, "external data file name");
            data_file_seen = true;
        }
        at = data_at + static_cast<size_t>(padded);
    }
}

} // namespace

bool has_qcow2_magic(std::span<const uint8_t> bytes) {
    return bytes.size() >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), bytes.begin());
}

size_t qcow2_header_span(std::span<const uint8_t> fixed) {
    (void)checked_version(fixed);
    return size_t{1} << checked_cluster_bits(fixed);
}

Qcow2Header decode_qcow2_header(std::span<const uint8_t> bytes) {
    Qcow2Header out;
    out.version = checked_version(bytes);
    out.cluster_bits = checked_cluster_bits(bytes);
    const size_t cluster_bytes = size_t{1} << out.cluster_bits;
    if (bytes.size() > cluster_bytes)
        bytes = bytes.first(cluster_bytes); // QEMU reads nothing of this beyond the first cluster
    if (read32(bytes, kCryptMethodAt, "crypt_method") != 0)
        bad("it is encrypted (crypt_method set); decrypt it with qemu-img convert first");
    const uint64_t incompatible =
        out.version == 3 ? read64(bytes, kIncompatibleAt, "incompatible_features") : 0;
    check_incompatible(incompatible);
    out.external_data_file = (incompatible & kExternalDataFileBit) != 0;

    const size_t header_bytes = header_length(bytes, out.version, cluster_bytes);
    const uint64_t backing_offset = read64(bytes, kBackingOffsetAt, "backing_file_offset");
    const uint32_t backing_size = read32(bytes, kBackingSizeAt, "backing_file_size");
    if (backing_offset != 0 && (backing_offset < header_bytes || backing_offset > cluster_bytes))
        bad("backing_file_offset " + std::to_string(backing_offset) +
            " lies outside the first cluster after the header");
    const size_t extensions_end =
        backing_offset != 0 ? static_cast<size_t>(backing_offset) : cluster_bytes;
    read_extensions(bytes, header_bytes, std::min(extensions_end, bytes.size()), out);

    if (backing_offset != 0 && backing_size != 0) {
        if (backing_size > kMaxBackingNameBytes)
            bad("backing_file_size " + std::to_string(backing_size) + " (at most 1023)");
        out.backing_file = read_name(bytes, static_cast<size_t>(backing_offset), backing_size,
                                     "backing file name");
    }
    if (!out.external_data_file)
        out.data_file.reset(); // QEMU uses the extension only with the feature bit
    else if (!out.data_file || out.data_file->empty())
        bad("it needs an external data file (incompatible feature bit 2) but names none");
    return out;
}

} // namespace sevd::launcher
