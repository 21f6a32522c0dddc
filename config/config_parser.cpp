// parse_config_text: maps the INI entries onto Config, validating each value.
#include <array>
#include <charconv>
#include <functional>

#include "common/size_units.h"
#include "config/config.h"
#include "config/ini_lines.h"

namespace sevd::config {
namespace {

constexpr uint64_t kMaxMiB = UINT64_MAX / kMiB; // larger would overflow bytes
// 1 TiB of locked memory per guest beyond its RAM is far above any real
// firmware; with a request's RAM (at most 16 TiB) the sum stays far below 2^64 bytes.
constexpr uint64_t kMaxGuestOverheadMiB = uint64_t{1} << 20;

// Throws a ConfigError "FILE:LINE: [section] key = "value": problem; fix".
class ValueError {
public:
    ValueError(const std::string& origin, const IniEntry& entry) : origin_(origin), entry_(entry) {}
    [[noreturn]] void fail(const std::string& problem) const {
        throw ConfigError(origin_ + ":" + std::to_string(entry_.line) + ": [" + entry_.section +
                          "] " + entry_.key + " = \"" + entry_.value + "\": " + problem);
    }

private:
    const std::string& origin_;
    const IniEntry& entry_;
};

uint64_t parse_unsigned(const std::string& text, uint64_t max, const ValueError& error,
                        const std::string& example) {
    if (text.empty())
        error.fail("empty; give a whole number, e.g. " + example);
    if (text.starts_with('-'))
        error.fail("negative; give a whole number >= 0, e.g. " + example);
    uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value, 10);
    if (stop != end || (ec != std::errc{} && ec != std::errc::result_out_of_range))
        error.fail("not a number; give a whole number without unit, e.g. " + example);
    if (ec == std::errc::result_out_of_range || value > max)
        error.fail("too large; the maximum is " + std::to_string(max));
    return value;
}

std::vector<std::filesystem::path> parse_dirs(const std::string& text, const ValueError& error) {
    std::vector<std::filesystem::path> dirs;
    size_t start = 0;
    while (start <= text.size()) {
        auto stop = text.find(':', start);
        if (stop == std::string::npos)
            stop = text.size();
        // "/a : /b" lists /a and /b: blanks around a ':' are layout, not path.
        const std::string dir(trim_blanks(std::string_view(text).substr(start, stop - start)));
        if (!dir.empty() && !std::filesystem::path(dir).is_absolute())
            error.fail("\"" + dir + "\" is not an absolute path; list absolute directories " +
                       "separated by ':'");
        if (!dir.empty())
            dirs.emplace_back(dir);
        start = stop + 1;
    }
    if (dirs.empty())
        error.fail("no directory; list at least one, e.g. /var/lib/libvirt/images");
    return dirs;
}

std::string parse_word(const std::string& text, const ValueError& error,
                       const std::string& example) {
    if (text.empty())
        error.fail("empty; give a value, e.g. " + example);
    return text;
}

bool is_network_name(std::string_view name) {
    constexpr size_t kMaxNetworkName = 64;
    const auto plain = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (name.empty() || name.size() > kMaxNetworkName || !plain(name.front()))
        return false;
    for (char c : name)
        if (!plain(c) && c != '.' && c != '_' && c != '-')
            return false;
    return true;
}

// "default, br-guests": libvirt network names; empty: guests join none.
std::vector<std::string> parse_networks(const std::string& text, const ValueError& error) {
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= text.size() && !text.empty()) {
        auto stop = text.find(',', start);
        if (stop == std::string::npos)
            stop = text.size();
        const std::string name(trim_blanks(std::string_view(text).substr(start, stop - start)));
        if (!is_network_name(name))
            error.fail("\"" + name +
                       "\" is not a libvirt network name sevd accepts; list names of 1 to 64 "
                       "characters from A-Z a-z 0-9 . _ -, separated by ',' (e.g. default)");
        names.push_back(name);
        start = stop + 1;
    }
    return names;
}

// An optional absolute path: empty switches the export off. The file's folder
// must exist when the daemon writes; that is checked then, not here, so a
// configuration stays valid while node_exporter or NFD is not installed yet.
std::filesystem::path parse_export_path(const std::string& text, const ValueError& error,
                                        const std::string& example) {
    if (text.empty())
        return {};
    const std::filesystem::path path(text);
    if (!path.is_absolute())
        error.fail("not an absolute path; give one, e.g. " + example + " (empty = off)");
    if (!path.has_filename() || path.filename() == "." || path.filename() == "..")
        error.fail("ends in '/', '.' or '..'; name the file or folder itself, e.g. " + example);
    return path.lexically_normal();
}

using Setter = std::function<void(const std::string&, const ValueError&, Config&)>;

struct KeySpec {
    std::string_view section;
    std::string_view key;
    Setter set;
};

// A paused guest holds an ASID slot: at most a day before it is reclaimed.
constexpr uint64_t kMaxAttestationTimeoutS = 86400;

const std::array<KeySpec, 10>& key_specs() {
    static const std::array<KeySpec, 10> specs{{
        {"libvirt", "uri",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.libvirt_uri = parse_word(v, e, "qemu:///system");
         }},
        {"libvirt", "machine_type",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.machine_type = parse_word(v, e, "q35");
         }},
        {"memory", "reserved_host_memory_mb",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.reserved_host_memory_mb = parse_unsigned(v, kMaxMiB, e, "4096");
         }},
        {"memory", "guest_overhead_mb",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.guest_overhead_mb = parse_unsigned(v, kMaxGuestOverheadMiB, e, "16");
         }},
        {"guests", "image_dirs",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.image_dirs = parse_dirs(v, e);
         }},
        {"guests", "max_encrypted_guests",
         [](const std::string& v, const ValueError& e, Config& c) {
             if (v.empty()) {
                 c.max_encrypted_guests.reset();
                 return;
             }
             c.max_encrypted_guests = static_cast<uint32_t>(parse_unsigned(v, UINT32_MAX, e, "15"));
         }},
        {"guests", "networks",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.networks = parse_networks(v, e);
         }},
        {"export", "prometheus_textfile",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.prometheus_textfile =
                 parse_export_path(v, e, "/var/lib/prometheus/node-exporter/sevd.prom");
         }},
        {"export", "nfd_features_dir",
         [](const std::string& v, const ValueError& e, Config& c) {
             c.nfd_features_dir =
                 parse_export_path(v, e, "/etc/kubernetes/node-feature-discovery/features.d");
         }},
        {"guests", "attestation_timeout_s",
         [](const std::string& v, const ValueError& e, Config& c) {
             const auto seconds = parse_unsigned(v, kMaxAttestationTimeoutS, e, "300");
             if (seconds == 0)
                 e.fail("0; a guest paused for attestation needs at least 1 s, e.g. 300");
             c.attestation_timeout_s = seconds;
         }},
    }};
    return specs;
}

std::string known_keys() {
    std::string list;
    for (const auto& spec : key_specs())
        list += (list.empty() ? "" : ", ") + std::string("[") + std::string(spec.section) + "] " +
                std::string(spec.key);
    return list;
}

const KeySpec* find_spec(const IniEntry& entry) {
    for (const auto& spec : key_specs())
        if (spec.section == entry.section && spec.key == entry.key)
            return &spec;
    return nullptr;
}

} // namespace

void parse_config_text(const std::string& text, const std::string& origin, Config& into) {
    // Validate everything into a copy first: a bad line leaves `into` untouched.
    Config parsed = into;
    for (const auto& entry : read_ini_entries(text, origin)) {
        const ValueError error(origin, entry);
        const auto* spec = find_spec(entry);
        if (spec == nullptr)
            error.fail("unknown key; the keys are " + known_keys());
        spec->set(entry.value, error, parsed);
        parsed.origins.by_key[entry.section + "." + entry.key] =
            origin + ":" + std::to_string(entry.line);
    }
    into = std::move(parsed);
}

std::string Config::describe_origin(const std::string& section, const std::string& key) const {
    const auto found = origins.by_key.find(section + "." + key);
    if (found == origins.by_key.end())
        return "built-in default [" + section + "] " + key;
    return found->second + ": [" + section + "] " + key;
}

} // namespace sevd::config
