// sevd's configuration: /etc/sevd/sevd.conf plus sevd.conf.d/*.conf drop-ins
// (INI; later files override earlier keys). One parser for every command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"

namespace sevd::config {

inline constexpr const char* kDefaultConfigPath = "/etc/sevd/sevd.conf";

// Where each key's value came from ("FILE:LINE"), keyed "section.key"; keys
// left at their default are absent. Where a value came from is not part of its
// value, so two Configs compare equal regardless of origins.
struct KeyOrigins {
    std::map<std::string, std::string, std::less<>> by_key;
    bool operator==(const KeyOrigins&) const { return true; }
};

struct Config {
    // [libvirt]
    std::string libvirt_uri = "qemu:///system";
    std::string machine_type = "q35";
    // [memory]
    uint64_t reserved_host_memory_mb = 4096;
    uint64_t guest_overhead_mb = 16;
    // [guests]
    std::vector<std::filesystem::path> image_dirs = {"/var/lib/libvirt/images"};
    std::optional<uint32_t> max_encrypted_guests; // cap on both ASID pools
    std::vector<std::string> networks;            // libvirt networks guests may join
    // [export] (fleet exports; empty = off)
    std::filesystem::path prometheus_textfile; // node_exporter textfile, absolute
    std::filesystem::path nfd_features_dir;    // NFD local source features.d, absolute
    uint64_t attestation_timeout_s = 300;      // a guest paused for attestation longer is destroyed

    KeyOrigins origins;
    // "FILE:LINE: [section] key" for error messages, or "built-in default [section] key".
    std::string describe_origin(const std::string& section, const std::string& key) const;

    bool operator==(const Config&) const = default;
};

// Error messages quote file contents and names; they end up in terminals,
// the journal and JSON (`sevd tune --json`), which needs UTF-8. A byte that
// is not shown is spelled \xHH, so the reader can find it in the file.
inline constexpr ShowPolicy kQuotedFilePolicy{.replace = ShowPolicy::Replace::HexEscape,
                                              .keep_tab = false};

// A bad value or unknown key: names the file, line and key. The message is
// kept printable (kQuotedFilePolicy) whatever bytes the file held.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(const std::string& message)
        : std::runtime_error(printable_text(message, kQuotedFilePolicy)) {}
};

// The configuration could not be read at all (I/O, not a bad value).
class ConfigReadError : public ConfigError {
public:
    using ConfigError::ConfigError;
};

// Reads `path` and then `path` + ".d/*.conf" in lexical order. A missing main
// file means defaults; a missing drop-in directory is fine. Throws ConfigError
// for a bad value, ConfigReadError when a file exists but cannot be read.
Config load_config(const std::filesystem::path& path = kDefaultConfigPath);

// Parses one INI text into `into` (overriding keys present). `origin` names the
// file in errors. Pure. Throws ConfigError.
void parse_config_text(const std::string& text, const std::string& origin, Config& into);

} // namespace sevd::config
