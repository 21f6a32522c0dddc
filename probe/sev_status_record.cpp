#include "probe/sev_status_record.h"

#include <cstdio>

#include "common/text.h"
#include "probe/errno_name.h"

namespace sevd::probe {
namespace {

std::optional<uint8_t> hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return static_cast<uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f')
        return static_cast<uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return static_cast<uint8_t>(c - 'A' + 10);
    return std::nullopt;
}

SevStatusRecordParse parse_hex_reply(std::string_view text) {
    SevStatusRecord record;
    std::string digits;
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (!hex_digit(c))
            return {std::nullopt, "not hex, an errno name or 'ioctl-error': '" +
                                      std::string(text.substr(0, 60)) + "'"};
        digits.push_back(c);
    }
    if (digits.size() % 2 != 0)
        return {std::nullopt, "odd number of hex digits"};
    for (size_t i = 0; i < digits.size(); i += 2)
        record.reply.push_back(
            static_cast<uint8_t>(*hex_digit(digits[i]) << 4 | *hex_digit(digits[i + 1])));
    return {record, {}};
}

SevStatusRecordParse parse_open_error(std::string_view name) {
    const auto number = errno_from_name(name);
    if (!number)
        return {std::nullopt, "unknown errno name '" + std::string(name) + "'"};
    SevStatusRecord record;
    record.kind = SevStatusRecord::Kind::OpenError;
    record.error_number = *number;
    return {record, {}};
}

// "ioctl-error EIO 0x13"
SevStatusRecordParse parse_ioctl_error(std::string_view rest) {
    rest = trim(rest);
    const auto space = rest.find(' ');
    const auto number = errno_from_name(rest.substr(0, space));
    const auto code = space == std::string_view::npos ? std::optional<uint32_t>{}
                                                      : parse_hex_u32(trim(rest.substr(space)));
    if (!number || !code)
        return {std::nullopt, "expected 'ioctl-error ERRNO 0xCODE', got 'ioctl-error " +
                                  std::string(rest.substr(0, 60)) + "'"};
    SevStatusRecord record;
    record.kind = SevStatusRecord::Kind::IoctlError;
    record.error_number = *number;
    record.firmware_error = *code;
    return {record, {}};
}

} // namespace

SevStatusRecordParse parse_sev_status_record(std::string_view text) {
    text = trim(text);
    if (text.empty())
        return {std::nullopt, "empty file"};
    if (text.starts_with("ioctl-error"))
        return parse_ioctl_error(text.substr(11));
    if (text.starts_with("open-error"))
        return parse_open_error(trim(text.substr(10)));
    // A bare errno name ("EACCES") is letters only, and not all of them hex digits.
    const bool letters_only =
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
    const bool hex_only =
        text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
    if (letters_only && !hex_only)
        return parse_open_error(text);
    return parse_hex_reply(text);
}

std::string format_sev_status_record(const SevStatusRecord& record) {
    switch (record.kind) {
    case SevStatusRecord::Kind::OpenError:
        return "open-error " + errno_name(record.error_number) + "\n";
    case SevStatusRecord::Kind::IoctlError: {
        char code[16];
        std::snprintf(code, sizeof code, "0x%02x", record.firmware_error);
        return "ioctl-error " + errno_name(record.error_number) + " " + code + "\n";
    }
    case SevStatusRecord::Kind::Reply:
        break;
    }
    std::string hex;
    char byte[4];
    for (const auto b : record.reply) {
        std::snprintf(byte, sizeof byte, "%02x", b);
        hex += byte;
    }
    return hex + "\n";
}

} // namespace sevd::probe
