// Fuzz target: the qcow2 header reader (launcher/qcow2_header.h) on arbitrary
// bytes, as an image's first cluster. Properties:
//  - it returns or throws Qcow2Error, nothing else, and never reads outside
//    the bytes given (AddressSanitizer);
//  - a decoded header is one sevd can vouch for: version 2 or 3, cluster_bits
//    9..21, a backing name of 1..1023 bytes without NUL, a backing format of
//    at most 15 bytes, and an external data file exactly when it is named.
#include <cstdint>
#include <span>

#include "launcher/qcow2_header.h"
#include "tests/fuzz/fuzz_check.h"

using namespace sevd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    try {
        (void)launcher::qcow2_header_span(bytes);
    } catch (const launcher::Qcow2Error&) {
    }
    launcher::Qcow2Header header;
    try {
        header = launcher::decode_qcow2_header(bytes);
    } catch (const launcher::Qcow2Error&) {
        return 0;
    }
    fuzz::check(launcher::has_qcow2_magic(bytes), "a decoded header starts with the magic");
    fuzz::check(header.version == 2 || header.version == 3, "the version is 2 or 3");
    fuzz::check(header.cluster_bits >= 9 && header.cluster_bits <= 21, "cluster_bits 9..21");
    if (header.backing_file) {
        fuzz::check(!header.backing_file->empty() && header.backing_file->size() <= 1023,
                    "a backing name has 1..1023 bytes");
        fuzz::check(header.backing_file->find('\0') == std::string::npos,
                    "a backing name holds no NUL");
    }
    if (header.backing_format)
        fuzz::check(header.backing_format->size() <= 15, "a backing format fits QEMU's buffer");
    fuzz::check(header.external_data_file == header.data_file.has_value(),
                "an external data file is reported exactly when it is named");
    return 0;
}
