// Reading libvirt's domain XML back: pool (policy bit 2), memory, sevd's mark.
#include <gtest/gtest.h>

#include "launcher/domain_record.h"
#include "launcher/domain_xml.h"

namespace sevd::launcher {
namespace {

std::string domain(const std::string& memory, const std::string& security) {
    return "<domain type='kvm'><name>g</name><uuid>4578b436-6ae3-41b6-87df-4b28aeb69b2e</uuid>" +
           memory + security + "</domain>";
}

TEST(DomainRecord, PolicyBit2SelectsTheSevEsPool) {
    const auto sev = parse_domain_record(domain(
        "<memory unit='KiB'>524288</memory>",
        "<launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits>"
        "<policy>0x0033</policy></launchSecurity>"));
    EXPECT_EQ(sev.pool, EncryptionModel::Sev);
    EXPECT_EQ(sev.policy, 0x33u);
    EXPECT_EQ(sev.memory_mib, 512u); // 524288 KiB / 1024
    EXPECT_EQ(sev.uuid, "4578b436-6ae3-41b6-87df-4b28aeb69b2e");
    const auto es = parse_domain_record(
        domain("<memory unit='GiB'>2</memory>",
               "<launchSecurity type='sev'><policy>0x0007</policy></launchSecurity>"));
    EXPECT_EQ(es.pool, EncryptionModel::SevEs);
    EXPECT_EQ(es.memory_mib, 2048u);
}

TEST(DomainRecord, SnpDrawsFromTheEsPoolAndPlainGuestsFromNone) {
    EXPECT_EQ(
        parse_domain_record(
            domain("<memory>1048576</memory>",
                   "<launchSecurity type='sev-snp'><policy>0x30000</policy></launchSecurity>"))
            .pool,
        EncryptionModel::SevEs);
    const auto plain = parse_domain_record(domain("<memory>1048576</memory>", ""));
    EXPECT_FALSE(plain.pool.has_value());
    EXPECT_EQ(plain.memory_mib, 1024u); // default unit KiB
}

TEST(DomainRecord, RecognisesDomainsSevdBuilt) {
    ValidatedRequest r;
    r.name = "mine";
    r.memory_mib = 768;
    r.vcpus = 1;
    r.model = EncryptionModel::SevEs;
    r.machine_type = "q35";
    const auto record = parse_domain_record(build_domain_xml(
        r, ResolvedImage{{{"/images/x.img", ImageKind::File, ImageFormat::Raw, "disk-0"}}},
        {51, 1}));
    EXPECT_TRUE(record.launched_by_sevd);
    EXPECT_EQ(record.name, "mine");
    EXPECT_EQ(record.pool, EncryptionModel::SevEs);
    EXPECT_EQ(record.memory_mib, 768u);
    EXPECT_FALSE(parse_domain_record(domain("<memory>1</memory>", "")).launched_by_sevd);
}

// sevd's mark on a guest launched for attestation: pending until sevd resumes
// it (libvirt_client_attestation.cpp rewrites it to "resumed" first).
TEST(DomainRecord, ReadsWhetherAnAttestationIsPending) {
    ValidatedRequest r;
    r.name = "owned";
    r.memory_mib = 512;
    r.vcpus = 1;
    r.model = EncryptionModel::Sev;
    r.machine_type = "q35";
    const ResolvedImage image{{{"/images/x.img", ImageKind::File, ImageFormat::Raw, "disk-0"}}};
    EXPECT_FALSE(parse_domain_record(build_domain_xml(r, image, {51, 1})).attestation_pending);
    r.attestation = AttestationSession{"R09ESA==", "U0VTU0lPTg=="};
    const auto pending = parse_domain_record(build_domain_xml(r, image, {51, 1}));
    EXPECT_TRUE(pending.attestation_pending);
    EXPECT_FALSE(pending.paused); // the reader's, from libvirt's state
    const auto resumed = parse_domain_record(
        "<domain><name>owned</name><metadata><sevd:guest xmlns:sevd='urn:sevd:guest:1' "
        "model='amd-sev' attestation='resumed'/></metadata></domain>");
    EXPECT_TRUE(resumed.launched_by_sevd);
    EXPECT_FALSE(resumed.attestation_pending);
}

TEST(DomainRecord, GarbageIsAnError) {
    EXPECT_THROW(parse_domain_record("<domain"), std::runtime_error);
    EXPECT_THROW(parse_domain_record("<network/>"), std::runtime_error);
}

// Issue 13 (4): an unreadable or oversized <memory> is unknown, never 0 MiB.
TEST(DomainRecord, UnreadableMemoryIsUnknownNotZero) {
    const std::string sev = "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>";
    for (const char* memory :
         {"<memory unit='KiB'>lots</memory>", "<memory unit='parsec'>1</memory>",
          "<memory unit='EiB'>16</memory>", "<memory>-1</memory>", ""}) {
        const auto record = parse_domain_record(domain(memory, sev));
        EXPECT_FALSE(record.memory_known) << memory;
        EXPECT_EQ(record.pool, EncryptionModel::Sev) << memory;
    }
    EXPECT_TRUE(parse_domain_record(domain("<memory unit='KiB'>1024</memory>", sev)).memory_known);
}

// A partial MiB is still locked: rounded up, never down to 0.
TEST(DomainRecord, PartialMebibytesRoundUp) {
    EXPECT_EQ(parse_domain_record(domain("<memory unit='KiB'>1</memory>", "")).memory_mib, 1u);
    EXPECT_EQ(parse_domain_record(domain("<memory unit='KiB'>1025</memory>", "")).memory_mib, 2u);
}

} // namespace
} // namespace sevd::launcher
