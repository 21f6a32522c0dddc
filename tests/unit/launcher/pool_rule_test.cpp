// One ASID pool rule (probe::asid_pool) and one domain reader
// (probe::domain_facts) used by all three from the same fixtures: the probe
// (slots used), cgroups (locked memory of running guests) and the launcher
// (admission) must agree, SNP included.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cgroups/running_sev_guests.h"
#include "launcher/domain_record.h"
#include "probe/asid_pool.h"
#include "probe/domain_mark.h"
#include "probe/domcaps_decoder.h"

namespace sevd {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(SEVD_FIXTURES_DIR) + "/libvirt/pool-rule/" + name);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(text.str().empty()) << name;
    return text.str();
}

probe::LaunchSecurityKind kind_of(std::optional<EncryptionModel> pool) {
    if (!pool)
        return probe::LaunchSecurityKind::Other;
    return *pool == EncryptionModel::SevEs ? probe::LaunchSecurityKind::SevEs
                                           : probe::LaunchSecurityKind::Sev;
}

struct Case {
    const char* file;
    std::optional<EncryptionModel> pool; // by hand from the rule (fixtures README)
    uint64_t ram_bytes;
};

class PoolRule : public testing::TestWithParam<Case> {};

TEST_P(PoolRule, ProbeCgroupsAndLauncherAgree) {
    const auto& c = GetParam();
    const auto xml = fixture(c.file);
    EXPECT_EQ(probe::decode_launch_security(xml), kind_of(c.pool));
    EXPECT_EQ(launcher::parse_domain_record(xml).pool, c.pool);
    const auto ram = cgroups::encrypted_guest_ram(xml);
    EXPECT_EQ(ram.encrypted, c.pool.has_value());
    if (c.pool) {
        EXPECT_EQ(ram.bytes, c.ram_bytes);
        EXPECT_EQ(launcher::parse_domain_record(xml).memory_mib, c.ram_bytes >> 20);
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PoolRule,
                         testing::Values(Case{"sev.xml", EncryptionModel::Sev, 2 * kGiB},
                                         Case{"sev-es.xml", EncryptionModel::SevEs, 4 * kGiB},
                                         Case{"sev-snp.xml", EncryptionModel::SevEs, 8 * kGiB},
                                         Case{"s390-pv.xml", std::nullopt, 1 * kGiB}));

// Describe()'s libvirt.foreign_guests: encrypted and without sevd's mark.
TEST(PoolRule, ForeignDomainsAreEncryptedOnesWithoutSevdsMark) {
    const auto foreign = [](const std::string& xml) {
        return probe::foreign_domain(probe::parse_domain_facts(xml).value());
    };
    EXPECT_EQ(foreign(fixture("sev-snp.xml")),
              (probe::ForeignDomain{"snp-guest", EncryptionModel::SevEs}));
    EXPECT_EQ(foreign(fixture("s390-pv.xml")), std::nullopt);
    auto marked = fixture("sev.xml");
    marked.insert(marked.find("<memory"),
                  "<metadata><sevd:guest xmlns:sevd='urn:sevd:guest:1' model='amd-sev'/>"
                  "</metadata>");
    EXPECT_EQ(foreign(marked), std::nullopt);
    EXPECT_TRUE(launcher::parse_domain_record(marked).launched_by_sevd);
}

TEST(PoolRule, TheRuleItself) {
    EXPECT_EQ(probe::asid_pool("sev", "0x0033"), EncryptionModel::Sev);
    EXPECT_EQ(probe::asid_pool("sev", "0x0037"), EncryptionModel::SevEs);
    EXPECT_EQ(probe::asid_pool("sev", " 0x4 "), EncryptionModel::SevEs);
    EXPECT_EQ(probe::asid_pool("sev", "garbage"), EncryptionModel::Sev);
    EXPECT_EQ(probe::asid_pool("sev-snp", ""), EncryptionModel::SevEs);
    EXPECT_EQ(probe::asid_pool("tdx", "0x0037"), std::nullopt);
    EXPECT_EQ(probe::asid_pool("", ""), std::nullopt);
}

} // namespace
} // namespace sevd
