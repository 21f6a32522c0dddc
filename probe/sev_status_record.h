// One query of /dev/sev and what it gave, in both forms: the value the live
// reader produces and the text a snapshot stores in DIR/sev/platform-status
// (or snp-platform-status). Text forms, one line:
//   013300000000000300000000   the reply bytes in memory order, as hex
//   EACCES                     opening /dev/sev failed with this errno
//                              (also written "open-error EACCES")
//   ioctl-error EIO 0x13       SEV_ISSUE_CMD failed: errno, firmware status code
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sevd::probe {

struct SevStatusRecord {
    enum class Kind { Reply, OpenError, IoctlError };
    Kind kind = Kind::Reply;
    std::vector<uint8_t> reply;  // Kind::Reply
    int error_number = 0;        // errno, for OpenError / IoctlError
    uint32_t firmware_error = 0; // SEV_RET_* code from the ioctl, for IoctlError
    bool operator==(const SevStatusRecord&) const = default;
};

struct SevStatusRecordParse {
    std::optional<SevStatusRecord> record;
    std::string error; // set when record is nullopt
};

// Parses the text forms above. Reply hex must have an even number of digits
// (blanks ignored); its length is checked by the reply decoders, not here.
SevStatusRecordParse parse_sev_status_record(std::string_view text);

std::string format_sev_status_record(const SevStatusRecord& record);

} // namespace sevd::probe
