#include "launcher/property_rules.h"

#include <array>

#include "common/text.h"
#include "launcher/launch_error.h"
#include "launcher/property_vocabulary.h"

namespace sevd::launcher::rules {
namespace {

using vocabulary::parse_bool;
using vocabulary::to_lower;

constexpr uint64_t kSmallPageKib = 4;
constexpr uint64_t kHugePage2MKib = 2048;
constexpr uint64_t kHugePage1GKib = 1048576;
constexpr uint64_t kKibPerMib = 1024;

std::string quoted(const Setting& s) {
    return "'" + std::string(s.key) + "'='" + std::string(s.value) + "'";
}

[[noreturn]] void refuse(ErrorCode code, const Setting& s, const std::string& why) {
    throw LaunchError(code, "property " + quoted(s) + ": " + why);
}

[[noreturn]] void conflict(const Setting& flavor, const Setting& image, const std::string& what) {
    throw LaunchError(ErrorCode::Conflict, "flavor " + quoted(flavor) + " and image " +
                                               quoted(image) + " disagree on " + what +
                                               "; make them equal or remove one");
}

std::string model_list() {
    std::string text;
    for (auto m : kAllModels)
        text += (text.empty() ? "" : ", ") + std::string(model_name(m));
    return text;
}

std::optional<EncryptionModel> parse_model(std::optional<Setting> s) {
    if (!s)
        return std::nullopt;
    if (auto model = model_from_name(to_lower(s->value)))
        return model;
    refuse(ErrorCode::InvalidArgument, *s,
           "unknown encryption model; accepted values: " + model_list());
}

std::optional<PageSize> parse_page_size(std::optional<Setting> s) {
    if (!s)
        return std::nullopt;
    const auto value = to_lower(s->value);
    if (value == "small" || value == "any")
        return PageSize{};
    if (value == "large")
        return PageSize{true, 0};
    const auto digits_end = value.find_first_not_of("0123456789");
    const auto number = parse_u64(std::string_view(value).substr(0, digits_end));
    const auto unit = digits_end == std::string::npos ? std::string() : value.substr(digits_end);
    uint64_t scale = 0;
    if (unit.empty() || unit == "k" || unit == "kb" || unit == "kib")
        scale = 1;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        scale = kKibPerMib;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        scale = kKibPerMib * kKibPerMib;
    // Bounded before scaling: no valid size has more than 1048576 units.
    const auto kib = number && *number <= kHugePage1GKib ? *number * scale : 0;
    if (kib == kSmallPageKib)
        return PageSize{};
    if (kib == kHugePage2MKib || kib == kHugePage1GKib)
        return PageSize{true, kib};
    refuse(ErrorCode::InvalidArgument, *s,
           "unknown page size; accepted values: small, large, any, 4, 2048, 1048576 (KiB, or "
           "with a unit: 4KB, 2MB, 1GB)");
}

} // namespace

void check_encryption(std::optional<Setting> flavor, std::optional<Setting> image) {
    if (flavor && image && parse_bool(flavor->value) != parse_bool(image->value))
        conflict(*flavor, *image, "memory encryption");
    for (const auto& s : {flavor, image}) {
        if (s && !parse_bool(s->value))
            refuse(ErrorCode::InvalidArgument, *s,
                   "sevd only launches encrypted guests; set it to true (1, t, true, on, y, yes) "
                   "or remove it");
    }
}

std::optional<TraitRequirement> parse_trait(std::optional<Setting> trait) {
    if (!trait)
        return std::nullopt;
    const auto value = to_lower(trait->value);
    if (value == "required")
        return TraitRequirement::Required;
    if (value == "forbidden")
        return TraitRequirement::Forbidden;
    refuse(ErrorCode::InvalidArgument, *trait, "accepted values: required, forbidden");
}

// A model trait (trait:HW_CPU_X86_AMD_SEV_ES / _SNP): required picks its
// model, forbidden refuses it; either contradicting an explicit model is a Conflict.
std::optional<EncryptionModel> apply_model_trait(EncryptionModel trait_model,
                                                 std::optional<TraitRequirement> trait,
                                                 std::optional<EncryptionModel> explicit_model,
                                                 const std::optional<Setting>& explicit_from) {
    const std::string key = "trait:" + std::string(model_trait(trait_model));
    const std::string name(model_name(trait_model));
    if (trait == TraitRequirement::Required) {
        if (explicit_model && *explicit_model != trait_model)
            throw LaunchError(ErrorCode::Conflict,
                              "property '" + key + "'='required' asks for " + name + " but " +
                                  quoted(*explicit_from) + " asks for " +
                                  std::string(model_name(*explicit_model)) + "; set the model to " +
                                  name + " or drop the trait");
        return trait_model;
    }
    if (trait == TraitRequirement::Forbidden && explicit_model == trait_model)
        throw LaunchError(ErrorCode::Conflict, "property '" + key + "'='forbidden' contradicts " +
                                                   quoted(*explicit_from) +
                                                   "; choose another model or drop the trait");
    return explicit_model;
}

EncryptionModel choose_model(std::optional<Setting> flavor, std::optional<Setting> image,
                             std::optional<TraitRequirement> trait_sev,
                             std::optional<TraitRequirement> trait_sev_es,
                             std::optional<TraitRequirement> trait_sev_snp) {
    const auto flavor_model = parse_model(flavor);
    const auto image_model = parse_model(image);
    if (flavor_model && image_model && *flavor_model != *image_model)
        conflict(*flavor, *image, "the encryption model");
    if (trait_sev == TraitRequirement::Forbidden)
        throw LaunchError(ErrorCode::Conflict,
                          "property 'trait:HW_CPU_X86_AMD_SEV'='forbidden' contradicts an "
                          "encrypted launch; every model sevd launches needs it: remove it");
    const auto explicit_model = image_model ? image_model : flavor_model;
    const auto& explicit_from = image_model ? image : flavor;
    if (trait_sev_es == TraitRequirement::Required && trait_sev_snp == TraitRequirement::Required)
        throw LaunchError(ErrorCode::Conflict,
                          "properties 'trait:HW_CPU_X86_AMD_SEV_ES' and "
                          "'trait:HW_CPU_X86_AMD_SEV_SNP' are both required, but a guest runs "
                          "one model: keep one");
    auto model =
        apply_model_trait(EncryptionModel::SevEs, trait_sev_es, explicit_model, explicit_from);
    model = apply_model_trait(EncryptionModel::SevSnp, trait_sev_snp, model,
                              model == explicit_model ? explicit_from : std::nullopt);
    return model.value_or(EncryptionModel::Sev);
}

void check_firmware(std::optional<Setting> firmware) {
    if (!firmware || to_lower(firmware->value) == "uefi")
        return;
    refuse(ErrorCode::InvalidArgument, *firmware,
           "encrypted guests boot only with UEFI firmware (OVMF); accepted value: uefi");
}

bool is_q35(std::string_view machine_type) {
    constexpr std::string_view kVersioned = "pc-q35-";
    if (machine_type == "q35")
        return true;
    if (machine_type.size() <= kVersioned.size() ||
        machine_type.substr(0, kVersioned.size()) != kVersioned)
        return false;
    for (char c : machine_type.substr(kVersioned.size())) {
        const bool ok =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

std::string choose_machine_type(std::optional<Setting> machine, std::string_view default_type) {
    const Setting chosen = machine ? *machine : Setting{"machine_type (sevd.conf)", default_type};
    const auto value = to_lower(chosen.value);
    if (is_q35(value))
        return value;
    const bool i440fx = value == "pc" || value.find("i440fx") != std::string::npos;
    refuse(ErrorCode::InvalidArgument, chosen,
           std::string(i440fx ? "the i440fx PC machine has no PCIe and cannot run SEV guests; "
                              : "not a q35 machine type; ") +
               "accepted values: q35 or a versioned pc-q35-X.Y (e.g. pc-q35-7.2)");
}

DiskBus choose_disk_bus(std::optional<Setting> bus, std::optional<Setting> scsi_model) {
    const bool virtio_scsi = scsi_model && to_lower(scsi_model->value) == "virtio-scsi";
    if (scsi_model && !virtio_scsi)
        refuse(ErrorCode::InvalidArgument, *scsi_model,
               "only a virtio SCSI controller can reach encrypted guest memory (iommu='on'); "
               "accepted value: virtio-scsi");
    if (!bus)
        return DiskBus::Virtio;
    const auto value = to_lower(bus->value);
    if (value == "virtio")
        return DiskBus::Virtio;
    if (value == "sata")
        return DiskBus::Sata;
    if (value == "scsi" && virtio_scsi)
        return DiskBus::Scsi;
    if (value == "scsi")
        refuse(ErrorCode::InvalidArgument, *bus,
               "a SCSI boot disk needs hw_scsi_model=virtio-scsi; add it or use virtio");
    refuse(ErrorCode::InvalidArgument, *bus,
           "boot disk bus not usable by an encrypted guest; accepted values: virtio, scsi (with "
           "hw_scsi_model=virtio-scsi), sata");
}

PageSize choose_page_size(std::optional<Setting> flavor, std::optional<Setting> image) {
    const auto flavor_page = parse_page_size(flavor);
    const auto image_page = parse_page_size(image);
    if (flavor_page && image_page && *flavor_page != *image_page &&
        to_lower(flavor->value) != "any")
        conflict(*flavor, *image, "the memory page size");
    if (image_page)
        return *image_page;
    return flavor_page.value_or(PageSize{});
}

uint32_t choose_numa_nodes(std::optional<Setting> nodes, uint32_t vcpus, uint64_t memory_mib) {
    if (!nodes)
        return 0;
    const auto count = parse_u64(nodes->value);
    if (!count || *count < 1 || *count > kMaxNumaNodes)
        refuse(ErrorCode::InvalidArgument, *nodes,
               "accepted values: a whole number from 1 to " + std::to_string(kMaxNumaNodes));
    if (*count > vcpus)
        refuse(ErrorCode::InvalidArgument, *nodes,
               "more NUMA nodes than vCPUs (" + std::to_string(vcpus) +
                   "); accepted values: 1 to " + std::to_string(vcpus));
    if (memory_mib % *count != 0)
        refuse(ErrorCode::InvalidArgument, *nodes,
               "memory " + std::to_string(memory_mib) + " MiB does not split evenly over " +
                   std::to_string(*count) + " nodes; pick a memory size divisible by it");
    return static_cast<uint32_t>(*count);
}

void check_memory_fits_pages(const PageSize& page, uint64_t memory_mib, uint32_t numa_nodes) {
    if (!page.huge || page.size_kib == 0)
        return;
    const auto cell_kib = memory_mib * kKibPerMib / (numa_nodes == 0 ? 1 : numa_nodes);
    if (cell_kib % page.size_kib == 0)
        return;
    throw LaunchError(ErrorCode::InvalidArgument,
                      "memory " + std::to_string(memory_mib) + " MiB" +
                          (numa_nodes > 1 ? " per NUMA node" : "") + " is not a whole number of " +
                          std::to_string(page.size_kib) + " KiB pages; pick a multiple of " +
                          std::to_string(page.size_kib / kKibPerMib) + " MiB");
}

} // namespace sevd::launcher::rules
