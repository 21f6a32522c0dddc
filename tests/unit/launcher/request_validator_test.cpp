// Every rule of DESIGN.md "Launch requests", one table row per case: the
// properties, and either the model chosen or the named error expected.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/launch_error.h"
#include "launcher/request_validator.h"

namespace sevd::launcher {
namespace {

using Props = std::map<std::string, std::string>;

struct Case {
    std::string label;
    Props properties;
    std::optional<EncryptionModel> model; // accepted with this model
    std::optional<ErrorCode> error;       // or refused with this error
    std::vector<std::string> message_has = {};
};

Case accept(std::string label, Props p, EncryptionModel m = EncryptionModel::Sev) {
    return {std::move(label), std::move(p), m, std::nullopt};
}

Case refuse(std::string label, Props p, ErrorCode e, std::vector<std::string> has = {}) {
    return {std::move(label), std::move(p), std::nullopt, e, std::move(has)};
}

LaunchRequest request_with(Props properties) {
    // 2048 MiB over 4 vCPUs: divisible by 1, 2, 4 NUMA nodes and by 2 MiB / 1 GiB pages.
    return {"guest-1", 2048, 4, "/var/lib/libvirt/images/guest-1.qcow2", std::move(properties)};
}

constexpr auto SevEs = EncryptionModel::SevEs;
constexpr auto SevSnp = EncryptionModel::SevSnp;
constexpr auto Invalid = ErrorCode::InvalidArgument;
constexpr auto Conflict = ErrorCode::Conflict;

std::vector<Case> encryption_cases() {
    std::vector<Case> cases = {accept("encryption implied when unset", {})};
    for (const char* yes :
         {"1", "t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES"}) {
        cases.push_back(
            accept(std::string("flavor true spelled ") + yes, {{"hw:mem_encryption", yes}}));
        cases.push_back(
            accept(std::string("image true spelled ") + yes, {{"hw_mem_encryption", yes}}));
    }
    // Anything that is not a true spelling is false, and false is refused.
    for (const char* no :
         {"0", "f", "false", "False", "off", "OFF", "n", "no", "NO", "", "enabled", "2"}) {
        cases.push_back(refuse(std::string("flavor false spelled '") + no + "'",
                               {{"hw:mem_encryption", no}}, Invalid, {"hw:mem_encryption"}));
        cases.push_back(refuse(std::string("image false spelled '") + no + "'",
                               {{"hw_mem_encryption", no}}, Invalid, {"hw_mem_encryption"}));
    }
    cases.push_back(accept("both true, different spellings",
                           {{"hw:mem_encryption", "1"}, {"hw_mem_encryption", "Yes"}}));
    cases.push_back(refuse("flavor true, image false",
                           {{"hw:mem_encryption", "true"}, {"hw_mem_encryption", "false"}},
                           Conflict, {"hw:mem_encryption", "hw_mem_encryption", "'false'"}));
    cases.push_back(refuse("flavor false, image true",
                           {{"hw:mem_encryption", "no"}, {"hw_mem_encryption", "on"}}, Conflict,
                           {"'no'", "'on'"}));
    cases.push_back(
        refuse("both false", {{"hw:mem_encryption", "0"}, {"hw_mem_encryption", "off"}}, Invalid));
    return cases;
}

std::vector<Case> model_cases() {
    return {
        accept("flavor model amd-sev", {{"hw:mem_encryption_model", "amd-sev"}}),
        accept("flavor model amd-sev-es", {{"hw:mem_encryption_model", "amd-sev-es"}}, SevEs),
        accept("image model amd-sev-es", {{"hw_mem_encryption_model", "amd-sev-es"}}, SevEs),
        accept("model names ignore case", {{"hw_mem_encryption_model", "AMD-SEV-ES"}}, SevEs),
        accept(
            "both models equal",
            {{"hw:mem_encryption_model", "amd-sev-es"}, {"hw_mem_encryption_model", "amd-sev-es"}},
            SevEs),
        refuse("flavor sev, image sev-es",
               {{"hw:mem_encryption_model", "amd-sev"}, {"hw_mem_encryption_model", "amd-sev-es"}},
               Conflict, {"hw:mem_encryption_model", "hw_mem_encryption_model", "amd-sev-es"}),
        refuse("flavor sev-es, image sev",
               {{"hw:mem_encryption_model", "amd-sev-es"}, {"hw_mem_encryption_model", "amd-sev"}},
               Conflict),
        accept("image model amd-sev-snp (Nova's value)",
               {{"hw_mem_encryption_model", "amd-sev-snp"}}, SevSnp),
        refuse("unknown model tdx", {{"hw_mem_encryption_model", "intel-tdx"}}, Invalid,
               {"hw_mem_encryption_model", "intel-tdx", "amd-sev, amd-sev-es, amd-sev-snp"}),
        refuse("unknown model on the flavor", {{"hw:mem_encryption_model", "sev"}}, Invalid,
               {"'sev'", "amd-sev, amd-sev-es, amd-sev-snp"}),
        accept("trait SEV-ES required implies amd-sev-es",
               {{"trait:HW_CPU_X86_AMD_SEV_ES", "required"}}, SevEs),
        accept("trait SEV required keeps amd-sev", {{"trait:HW_CPU_X86_AMD_SEV", "required"}}),
        accept(
            "trait SEV required with amd-sev-es",
            {{"trait:HW_CPU_X86_AMD_SEV", "required"}, {"hw_mem_encryption_model", "amd-sev-es"}},
            SevEs),
        accept("trait SEV-ES required with amd-sev-es",
               {{"trait:HW_CPU_X86_AMD_SEV_ES", "required"},
                {"hw:mem_encryption_model", "amd-sev-es"}},
               SevEs),
        accept("trait SEV-ES forbidden keeps amd-sev",
               {{"trait:HW_CPU_X86_AMD_SEV_ES", "forbidden"}}),
        refuse(
            "trait SEV-ES required vs image amd-sev",
            {{"trait:HW_CPU_X86_AMD_SEV_ES", "required"}, {"hw_mem_encryption_model", "amd-sev"}},
            Conflict, {"trait:HW_CPU_X86_AMD_SEV_ES", "hw_mem_encryption_model"}),
        refuse(
            "trait SEV-ES required vs flavor amd-sev",
            {{"trait:HW_CPU_X86_AMD_SEV_ES", "required"}, {"hw:mem_encryption_model", "amd-sev"}},
            Conflict),
        refuse("trait SEV-ES forbidden vs amd-sev-es",
               {{"trait:HW_CPU_X86_AMD_SEV_ES", "forbidden"},
                {"hw_mem_encryption_model", "amd-sev-es"}},
               Conflict),
        refuse("trait SEV forbidden", {{"trait:HW_CPU_X86_AMD_SEV", "forbidden"}}, Conflict,
               {"trait:HW_CPU_X86_AMD_SEV"}),
        refuse("trait value not required/forbidden", {{"trait:HW_CPU_X86_AMD_SEV", "preferred"}},
               Invalid, {"preferred", "required, forbidden"}),
        accept("trait SEV-SNP required implies amd-sev-snp",
               {{"trait:HW_CPU_X86_AMD_SEV_SNP", "required"}}, SevSnp),
        refuse("trait SEV-SNP required vs amd-sev-es",
               {{"trait:HW_CPU_X86_AMD_SEV_SNP", "required"},
                {"hw_mem_encryption_model", "amd-sev-es"}},
               Conflict, {"trait:HW_CPU_X86_AMD_SEV_SNP", "amd-sev-es"}),
        refuse("trait SEV-SNP forbidden vs amd-sev-snp",
               {{"trait:HW_CPU_X86_AMD_SEV_SNP", "forbidden"},
                {"hw_mem_encryption_model", "amd-sev-snp"}},
               Conflict),
        refuse("traits SEV-ES and SEV-SNP both required",
               {{"trait:HW_CPU_X86_AMD_SEV_ES", "required"},
                {"trait:HW_CPU_X86_AMD_SEV_SNP", "required"}},
               Conflict),
    };
}

std::vector<Case> machine_cases() {
    return {
        accept("firmware uefi", {{"hw_firmware_type", "uefi"}}),
        accept("firmware UEFI", {{"hw_firmware_type", "UEFI"}}),
        refuse("firmware bios", {{"hw_firmware_type", "bios"}}, Invalid,
               {"hw_firmware_type", "bios", "uefi"}),
        refuse("firmware efi is not a value of the vocabulary", {{"hw_firmware_type", "efi"}},
               Invalid),
        accept("machine q35", {{"hw_machine_type", "q35"}}),
        accept("machine pc-q35-7.2", {{"hw_machine_type", "pc-q35-7.2"}}),
        accept("machine pc-q35-8.0", {{"hw_machine_type", "pc-q35-8.0"}}),
        accept("machine PC-Q35-7.2", {{"hw_machine_type", "PC-Q35-7.2"}}),
        accept("machine pc-q35-rhel9.2.0", {{"hw_machine_type", "pc-q35-rhel9.2.0"}}),
        refuse("machine pc", {{"hw_machine_type", "pc"}}, Invalid,
               {"hw_machine_type", "'pc'", "q35"}),
        refuse("machine pc-i440fx-7.2", {{"hw_machine_type", "pc-i440fx-7.2"}}, Invalid,
               {"pc-i440fx-7.2", "q35"}),
        refuse("machine i440fx", {{"hw_machine_type", "i440fx"}}, Invalid, {"q35"}),
        refuse("machine microvm", {{"hw_machine_type", "microvm"}}, Invalid, {"q35"}),
        refuse("machine pc-q35- without version", {{"hw_machine_type", "pc-q35-"}}, Invalid),
        refuse("machine q35 with a space", {{"hw_machine_type", "q35 "}}, Invalid),
        refuse("machine q35 with a quote", {{"hw_machine_type", "pc-q35-7.2'"}}, Invalid),
    };
}

std::vector<Case> disk_bus_cases() {
    return {
        accept("bus virtio", {{"hw_disk_bus", "virtio"}}),
        accept("bus sata", {{"hw_disk_bus", "sata"}}),
        accept("bus scsi with virtio-scsi",
               {{"hw_disk_bus", "scsi"}, {"hw_scsi_model", "virtio-scsi"}}),
        accept("virtio-scsi model with default bus", {{"hw_scsi_model", "virtio-scsi"}}),
        refuse("bus scsi without a model", {{"hw_disk_bus", "scsi"}}, Invalid,
               {"hw_disk_bus", "hw_scsi_model=virtio-scsi"}),
        refuse("bus scsi with lsilogic", {{"hw_disk_bus", "scsi"}, {"hw_scsi_model", "lsilogic"}},
               Invalid, {"hw_scsi_model", "lsilogic", "virtio-scsi"}),
        refuse("bus ide", {{"hw_disk_bus", "ide"}}, Invalid,
               {"hw_disk_bus", "'ide'", "virtio, scsi", "sata"}),
        refuse("bus usb", {{"hw_disk_bus", "usb"}}, Invalid, {"'usb'"}),
        refuse("bus fdc", {{"hw_disk_bus", "fdc"}}, Invalid),
        refuse("bus xen", {{"hw_disk_bus", "xen"}}, Invalid),
        refuse("PCI passthrough", {{"pci_passthrough:alias", "a1:2"}}, Invalid,
               {"pci_passthrough:alias", "a1:2"}),
    };
}

std::vector<Case> page_and_numa_cases() {
    return {
        accept("page small", {{"hw:mem_page_size", "small"}}),
        accept("page large", {{"hw:mem_page_size", "large"}}),
        accept("page any", {{"hw_mem_page_size", "any"}}),
        accept("page 4 KiB", {{"hw:mem_page_size", "4"}}),
        accept("page 4KB", {{"hw:mem_page_size", "4KB"}}),
        accept("page 2048 KiB", {{"hw:mem_page_size", "2048"}}),
        accept("page 2MB", {{"hw:mem_page_size", "2MB"}}),
        accept("page 2048KB", {{"hw:mem_page_size", "2048KB"}}),
        accept("page 1GB", {{"hw_mem_page_size", "1GB"}}),
        accept("page 1048576", {{"hw_mem_page_size", "1048576"}}),
        accept("page 1GiB", {{"hw_mem_page_size", "1GiB"}}),
        accept("flavor any lets the image choose",
               {{"hw:mem_page_size", "any"}, {"hw_mem_page_size", "2MB"}}),
        accept("flavor 2MB equals image 2048",
               {{"hw:mem_page_size", "2MB"}, {"hw_mem_page_size", "2048"}}),
        refuse("flavor 2MB, image 1GB", {{"hw:mem_page_size", "2MB"}, {"hw_mem_page_size", "1GB"}},
               Conflict, {"hw:mem_page_size", "hw_mem_page_size"}),
        refuse("flavor small, image large",
               {{"hw:mem_page_size", "small"}, {"hw_mem_page_size", "large"}}, Conflict),
        refuse("page 8", {{"hw:mem_page_size", "8"}}, Invalid,
               {"hw:mem_page_size", "'8'", "small, large, any"}),
        refuse("page 3MB", {{"hw:mem_page_size", "3MB"}}, Invalid),
        refuse("page huge", {{"hw:mem_page_size", "huge"}}, Invalid),
        refuse("page 2PB", {{"hw:mem_page_size", "2PB"}}, Invalid),
        refuse("page overflowing number", {{"hw:mem_page_size", "99999999999999999999"}}, Invalid),
        refuse("page 1048577", {{"hw:mem_page_size", "1048577"}}, Invalid),
        accept("numa 1", {{"hw:numa_nodes", "1"}}),
        accept("numa 2", {{"hw:numa_nodes", "2"}}),
        accept("numa 4 = vcpus", {{"hw:numa_nodes", "4"}}),
        accept("numa 2 with 1 GiB pages (1024 MiB per node)",
               {{"hw:numa_nodes", "2"}, {"hw:mem_page_size", "1GB"}}),
        refuse("numa 0", {{"hw:numa_nodes", "0"}}, Invalid, {"hw:numa_nodes", "'0'"}),
        refuse("numa 9", {{"hw:numa_nodes", "9"}}, Invalid),
        refuse("numa two", {{"hw:numa_nodes", "two"}}, Invalid),
        refuse("numa 5 > 4 vcpus", {{"hw:numa_nodes", "5"}}, Invalid, {"vCPUs"}),
        refuse("numa 3 does not divide 2048 MiB", {{"hw:numa_nodes", "3"}}, Invalid),
        // 2048 MiB over 4 nodes = 512 MiB per node, not a whole 1 GiB page.
        refuse("numa 4 with 1 GiB pages", {{"hw:numa_nodes", "4"}, {"hw:mem_page_size", "1GB"}},
               Invalid, {"1048576 KiB"}),
    };
}

std::vector<Case> key_cases() {
    return {
        refuse("unknown key", {{"hw:cpu_policy", "dedicated"}}, Invalid,
               {"hw:cpu_policy", "dedicated", "hw:mem_encryption, hw_mem_encryption",
                "pci_passthrough:alias"}),
        refuse("key differs only in case", {{"HW:MEM_ENCRYPTION", "true"}}, Invalid,
               {"HW:MEM_ENCRYPTION"}),
        refuse("value with a newline", {{"hw_disk_bus", "virtio\n"}}, Invalid, {"hw_disk_bus"}),
        refuse("value not UTF-8", {{"hw_disk_bus", "virtio\xff"}}, Invalid,
               {"hw_disk_bus", "virtio?"}),
        refuse("unknown key not UTF-8", {{"hw:\xc3", "x"}}, Invalid, {"'hw:?'"}),
        refuse("value too long", {{"hw_machine_type", std::string(300, 'a')}}, Invalid,
               {"hw_machine_type"}),
    };
}

std::vector<Case> all_cases() {
    std::vector<Case> all;
    for (auto part : {encryption_cases(), model_cases(), machine_cases(), disk_bus_cases(),
                      page_and_numa_cases(), key_cases()})
        all.insert(all.end(), part.begin(), part.end());
    return all;
}

class RuleTable : public testing::TestWithParam<Case> {};

TEST_P(RuleTable, AcceptsOrRefusesAsTheRuleSays) {
    const auto& c = GetParam();
    const ValidationContext context; // both models launchable, q35 default
    if (c.model) {
        const auto validated = validate_request(request_with(c.properties), context);
        EXPECT_EQ(validated.model, *c.model);
        return;
    }
    try {
        validate_request(request_with(c.properties), context);
        FAIL() << "accepted, expected " << error_name(*c.error);
    } catch (const LaunchError& e) {
        EXPECT_EQ(error_name(e.code()), error_name(*c.error)) << e.what();
        for (const auto& part : c.message_has)
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
                << "message lacks '" << part << "': " << e.what();
    }
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
    std::string name = std::to_string(info.index) + "_";
    for (char c : info.param.label)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Rules, RuleTable, testing::ValuesIn(all_cases()), case_name);

} // namespace
} // namespace sevd::launcher
