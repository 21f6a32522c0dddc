// Fuzzes the configuration parser (sevd.conf and its drop-ins). Properties:
// never crash, and nothing but ConfigError escapes; a refused text leaves the
// configuration untouched ("nothing is applied"); the error names the file and
// line, and is UTF-8 (`sevd tune --json` prints it as a JSON string); an
// accepted text means the same when its values are written back as INI.
#include <cstdint>
#include <string>

#include "config/config.h"
#include "tests/fuzz/fuzz_check.h"

using namespace sevd;

namespace {

constexpr const char* kOrigin = "/etc/sevd/sevd.conf.d/50-fuzz.conf";

// A configuration that differs from the defaults in every key, so a partial
// update would show.
config::Config base_config() {
    config::Config c;
    c.libvirt_uri = "qemu+ssh://host/system";
    c.machine_type = "pc-q35-7.2";
    c.reserved_host_memory_mb = 8192;
    c.guest_overhead_mb = 32;
    c.image_dirs = {"/srv/images", "/var/lib/libvirt/images"};
    c.max_encrypted_guests = 7;
    c.networks = {"default", "br-guests"};
    c.attestation_timeout_s = 600;
    return c;
}

std::string as_ini(const config::Config& c) {
    std::string dirs;
    for (const auto& dir : c.image_dirs)
        dirs += (dirs.empty() ? "" : ":") + dir.string();
    std::string networks;
    for (const auto& name : c.networks)
        networks += (networks.empty() ? "" : ",") + name;
    return "[libvirt]\nuri = " + c.libvirt_uri + "\nmachine_type = " + c.machine_type +
           "\n[memory]\nreserved_host_memory_mb = " + std::to_string(c.reserved_host_memory_mb) +
           "\nguest_overhead_mb = " + std::to_string(c.guest_overhead_mb) +
           "\n[guests]\nimage_dirs = " + dirs + "\nmax_encrypted_guests = " +
           (c.max_encrypted_guests ? std::to_string(*c.max_encrypted_guests) : "") +
           "\nattestation_timeout_s = " + std::to_string(c.attestation_timeout_s) +
           "\nnetworks = " + networks +
           "\n[export]\nprometheus_textfile = " + c.prometheus_textfile.string() +
           "\nnfd_features_dir = " + c.nfd_features_dir.string() + "\n";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(fuzz::as_text(data, size));
    const auto before = base_config();
    auto config = before;
    try {
        config::parse_config_text(text, kOrigin, config);
    } catch (const config::ConfigError& e) {
        const std::string message = e.what();
        fuzz::check(config == before, "a refused text changes nothing");
        fuzz::check(message.starts_with(std::string(kOrigin) + ":"), "the error names the file");
        fuzz::check(fuzz::is_utf8(message), "the error message is UTF-8");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception: %s\n", e.what());
        fuzz::check(false, "only ConfigError escapes parse_config_text");
    }

    auto again = config::Config{};
    try {
        config::parse_config_text(as_ini(config), kOrigin, again);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "written back:\n%s\nrefused: %s\n", as_ini(config).c_str(), e.what());
        fuzz::check(false, "an accepted configuration, written back, is accepted");
    }
    fuzz::check(again == config, "an accepted configuration, written back, means the same");
    return 0;
}
