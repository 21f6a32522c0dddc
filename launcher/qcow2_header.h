// The parts of a qcow2 image header (QEMU's docs/interop/qcow2.txt, versions
// 2 and 3) that name other files: the backing file, its format, and an
// external data file. Pure: decodes bytes, reads nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace sevd::launcher {

// Bytes to hand the decoder first: the fixed version 3 header.
inline constexpr size_t kQcow2FixedHeaderBytes = 104;

struct Qcow2Header {
    uint32_t version = 0;
    uint32_t cluster_bits = 0;
    std::optional<std::string> backing_file;   // the name as stored (absolute or relative)
    std::optional<std::string> backing_format; // header extension 0xE2792ACA
    bool external_data_file = false;           // incompatible feature bit 2
    std::optional<std::string> data_file;      // header extension 0x44415441
};

// Not a qcow2 image sevd accepts; the message says which field is wrong.
class Qcow2Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// True when `bytes` start with the qcow2 magic "QFI\xfb".
bool has_qcow2_magic(std::span<const uint8_t> bytes);

// How many leading bytes of the file decode_qcow2_header() needs: the first
// cluster (header, extensions and backing file name all lie in it), or fewer
// when the file is shorter. `fixed` holds at least kQcow2FixedHeaderBytes (a
// shorter file is passed whole). Throws Qcow2Error.
size_t qcow2_header_span(std::span<const uint8_t> fixed);

// Decodes the header from the file's first bytes (qcow2_header_span() of them,
// or the whole file when shorter). Throws Qcow2Error for a bad magic or
// version, fields outside the bytes given, encryption, or incompatible
// features sevd does not know.
Qcow2Header decode_qcow2_header(std::span<const uint8_t> bytes);

} // namespace sevd::launcher
