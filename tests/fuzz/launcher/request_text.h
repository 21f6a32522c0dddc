// The fuzz input of fuzz_launch_request: a launch request as text, one
// "key=value" per line, so seeds and regressions can be read and written by
// hand. `\xHH` in a value stands for any byte (newlines, NULs, bytes that are
// not UTF-8). Keys:
//   name= memory= vcpus= disk=          the request's fields
//   @default_machine=                   sevd.conf [libvirt] machine_type
//   @sev=no  @sev_es=no  @sev_snp=no    the host cannot run that model now
//   @resolved=                          the canonical disk path (after symlinks;
//                                       default: the disk as given)
//   @block=1  @qcow2=1                  what the resolved image is
//   @cbitpos=  @reduced=                the host's C-bit and address reduction
//   @secret_header=  @secret=           Launcher1.InjectSecret's blobs (checked
//                                       by check_launch_secret when given)
//   anything else                       a property (flavor extra spec / image property)
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "launcher/domain_xml.h"
#include "launcher/launch_request.h"
#include "launcher/request_validator.h"

namespace sevd::fuzz {

struct FuzzLaunch {
    launcher::LaunchRequest request;
    launcher::ValidationContext context;
    std::string resolved_path;
    bool resolved_given = false;
    launcher::ImageLayer image{"", launcher::ImageKind::File, launcher::ImageFormat::Raw, "disk-0"};
    launcher::HostSecurity host{51, 1};
    std::optional<std::string> secret_header;
    std::optional<std::string> secret;
};

inline std::string unescape(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned value = 0;
        if (text.substr(i, 2) == "\\x" && i + 4 <= text.size() &&
            std::from_chars(text.data() + i + 2, text.data() + i + 4, value, 16).ptr ==
                text.data() + i + 4) {
            out.push_back(static_cast<char>(value));
            i += 3;
            continue;
        }
        out.push_back(text[i]);
    }
    return out;
}

// Decimal; bad text is 0 and too large saturates, so every number is reachable.
template <typename T>
T number(const std::string& text) {
    T value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
    if (ec == std::errc::result_out_of_range)
        return static_cast<T>(~T{0});
    return ec == std::errc{} ? value : T{0};
}

inline void apply_line(FuzzLaunch& in, const std::string& key, const std::string& value) {
    auto& r = in.request;
    if (key == "name")
        r.name = value;
    else if (key == "memory")
        r.memory_mib = number<uint64_t>(value);
    else if (key == "vcpus")
        r.vcpus = number<uint32_t>(value);
    else if (key == "disk")
        r.disk = value;
    else if (key == "@default_machine")
        in.context.default_machine_type = value;
    else if (key == "@sev")
        in.context.sev = {value != "no", value != "no" ? "" : "no free SEV ASIDs; stop a guest"};
    else if (key == "@sev_es")
        in.context.sev_es = {value != "no", value != "no" ? "" : "minimum SEV ASID is 1"};
    else if (key == "@sev_snp")
        in.context.sev_snp = {value != "no", value != "no" ? "" : "SNP is not initialized"};
    else if (key == "@resolved") {
        in.resolved_path = value;
        in.resolved_given = true;
    } else if (key == "@block")
        in.image.kind = value == "1" ? launcher::ImageKind::Block : launcher::ImageKind::File;
    else if (key == "@qcow2")
        in.image.format = value == "1" ? launcher::ImageFormat::Qcow2 : launcher::ImageFormat::Raw;
    else if (key == "@cbitpos")
        in.host.cbitpos = number<unsigned>(value);
    else if (key == "@reduced")
        in.host.reduced_phys_bits = number<unsigned>(value);
    else if (key == "@secret_header")
        in.secret_header = value;
    else if (key == "@secret")
        in.secret = value;
    else
        r.properties[key] = value;
}

inline FuzzLaunch parse_fuzz_launch(std::string_view text) {
    FuzzLaunch in;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        const auto equals = line.find('=');
        if (equals == std::string_view::npos)
            continue;
        apply_line(in, unescape(line.substr(0, equals)), unescape(line.substr(equals + 1)));
    }
    in.image.path = in.resolved_given ? in.resolved_path : in.request.disk;
    return in;
}

} // namespace sevd::fuzz
