#include "launcher/request_validator.h"

#include <optional>

#include "common/text.h"
#include "launcher/attestation_rules.h"
#include "launcher/instance_options.h"
#include "launcher/launch_error.h"
#include "launcher/property_rules.h"
#include "launcher/property_vocabulary.h"

namespace sevd::launcher {
namespace {

using rules::Setting;
namespace vocab = vocabulary;

constexpr size_t kMaxShownValue = 64; // long values are cut in messages

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string shown(const std::string& value) {
    return printable(value, kMaxShownValue);
}

[[noreturn]] void invalid(const std::string& message) {
    throw LaunchError(ErrorCode::InvalidArgument, message);
}

void check_name(const std::string& name) {
    if (is_valid_guest_name(name))
        return;
    invalid("name '" + shown(name) +
            "' is not accepted: use 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a "
            "letter or digit");
}

void check_sizes(uint64_t memory_mib, uint32_t vcpus) {
    if (memory_mib < kMinMemoryMib || memory_mib > kMaxMemoryMib)
        invalid("memory " + std::to_string(memory_mib) + " MiB is out of range: accepted " +
                std::to_string(kMinMemoryMib) + " to " + std::to_string(kMaxMemoryMib) + " MiB");
    if (vcpus < kMinVcpus || vcpus > kMaxVcpus)
        invalid("vcpus " + std::to_string(vcpus) + " is out of range: accepted " +
                std::to_string(kMinVcpus) + " to " + std::to_string(kMaxVcpus));
}

void check_disk_shape(const std::string& disk) {
    if (disk.empty() || disk.front() != '/')
        invalid("disk '" + shown(disk) +
                "' is not accepted: give an absolute path to an image "
                "inside the configured image directories");
    if (disk.size() > kMaxDiskPathLength || !is_safe_text(disk))
        invalid("disk '" + shown(disk) + "' is not accepted: the path must be at most " +
                std::to_string(kMaxDiskPathLength) +
                " bytes of UTF-8 text without control characters");
}

void check_properties(const std::map<std::string, std::string>& properties) {
    for (const auto& [key, value] : properties) {
        if (!vocab::is_accepted_key(key))
            invalid(
                "property '" + shown(key) + "'='" + shown(value) +
                "' is not accepted: unknown key; accepted keys: " + vocab::accepted_keys_text());
        const size_t limit = attestation_value_limit(key) != 0 ? attestation_value_limit(key)
                                                               : kMaxPropertyValueLength;
        if (value.size() > limit || !is_safe_text(value))
            invalid("property '" + key + "'='" + shown(value) +
                    "' is not accepted: values are at most " + std::to_string(limit) +
                    " bytes of UTF-8 text without control characters");
    }
    if (auto it = properties.find(std::string(vocab::kPciPassthrough)); it != properties.end())
        invalid("property '" + it->first + "'='" + shown(it->second) +
                "' is not accepted: a passed-through PCI device cannot DMA into encrypted guest "
                "memory; remove it (accepted: no PCI passthrough)");
}

class PropertyView {
public:
    explicit PropertyView(const std::map<std::string, std::string>& properties)
        : properties_(properties) {}

    std::optional<Setting> operator[](std::string_view key) const {
        auto it = properties_.find(std::string(key));
        if (it == properties_.end())
            return std::nullopt;
        return Setting{it->first, it->second};
    }

private:
    const std::map<std::string, std::string>& properties_;
};

} // namespace

bool is_valid_guest_name(const std::string& name) {
    if (name.empty() || name.size() > kMaxNameLength || !is_name_start(name.front()))
        return false;
    for (char c : name)
        if (!is_name_start(c) && c != '.' && c != '_' && c != '-')
            return false;
    return true;
}

ValidatedRequest validate_request(const LaunchRequest& request, const ValidationContext& context) {
    check_name(request.name);
    check_sizes(request.memory_mib, request.vcpus);
    check_disk_shape(request.disk);
    check_properties(request.properties);

    const PropertyView props(request.properties);
    rules::check_encryption(props[vocab::kFlavorEncryption], props[vocab::kImageEncryption]);

    ValidatedRequest out;
    out.name = request.name;
    out.memory_mib = request.memory_mib;
    out.vcpus = request.vcpus;
    out.disk = request.disk;
    out.model = rules::choose_model(props[vocab::kFlavorModel], props[vocab::kImageModel],
                                    rules::parse_trait(props[vocab::kTraitSev]),
                                    rules::parse_trait(props[vocab::kTraitSevEs]),
                                    rules::parse_trait(props[vocab::kTraitSevSnp]));
    rules::check_firmware(props[vocab::kFirmwareType]);
    out.machine_type =
        rules::choose_machine_type(props[vocab::kMachineType], context.default_machine_type);
    out.disk_bus = rules::choose_disk_bus(props[vocab::kDiskBus], props[vocab::kScsiModel]);
    out.page_size =
        rules::choose_page_size(props[vocab::kFlavorPageSize], props[vocab::kImagePageSize]);
    out.numa_nodes =
        rules::choose_numa_nodes(props[vocab::kNumaNodes], request.vcpus, request.memory_mib);
    rules::check_memory_fits_pages(out.page_size, out.memory_mib, out.numa_nodes);
    out.disk_format = rules::choose_disk_format(props[vocab::kDiskFormat]);
    out.networks = rules::choose_networks(props[vocab::kNetwork], context.networks);
    out.seed = rules::choose_seed(props[vocab::kSeed]);
    out.attestation = rules::choose_attestation(out.model, props[vocab::kAttestation],
                                                props[vocab::kDhCert], props[vocab::kSession]);

    // Last: the request is well-formed; can this host run it now?
    const auto& support = context.support(out.model);
    if (!support.launchable)
        throw LaunchError(support.refusal, support.reason);
    return out;
}

} // namespace sevd::launcher
