#include <gtest/gtest.h>

#include "probe/domcaps_decoder.h"

namespace sevd::probe {
namespace {

std::string caps(const std::string& features) {
    return "<domainCapabilities><path>/usr/bin/qemu-system-x86_64</path><features>" + features +
           "</features></domainCapabilities>";
}

TEST(DomainCapsDecoder, Supported) {
    const auto parsed = decode_domain_caps_sev(
        caps("<sev supported='yes'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits>"
             "<maxGuests>509</maxGuests><maxESGuests>0</maxESGuests></sev>"));
    ASSERT_TRUE(parsed.sev) << parsed.error;
    EXPECT_TRUE(parsed.sev->element_present);
    EXPECT_TRUE(parsed.sev->supported);
    EXPECT_EQ(parsed.sev->cbitpos, 47u);
    EXPECT_EQ(parsed.sev->reduced_phys_bits, 1u);
    EXPECT_EQ(parsed.sev->max_guests, 509u);
    EXPECT_EQ(parsed.sev->max_es_guests, 0u);
}

// libvirt >= 10.5 lists the launch security types (Nova reads the same enum).
TEST(DomainCapsDecoder, LaunchSecurityListsSevSnp) {
    const auto sev =
        "<sev supported='yes'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits>"
        "</sev>";
    auto parsed = decode_domain_caps_sev(caps(
        std::string(sev) + "<launchSecurity supported='yes'><enum name='sectype'>"
                           "<value>sev</value><value>sev-snp</value></enum></launchSecurity>"));
    ASSERT_TRUE(parsed.sev) << parsed.error;
    EXPECT_TRUE(parsed.sev->launch_security_listed);
    EXPECT_TRUE(parsed.sev->sev_snp);

    parsed = decode_domain_caps_sev(caps(std::string(sev) +
                                         "<launchSecurity supported='yes'><enum name='sectype'>"
                                         "<value>sev</value></enum></launchSecurity>"));
    ASSERT_TRUE(parsed.sev);
    EXPECT_TRUE(parsed.sev->launch_security_listed);
    EXPECT_FALSE(parsed.sev->sev_snp);

    parsed = decode_domain_caps_sev(caps(sev)); // libvirt 9.0: no element
    ASSERT_TRUE(parsed.sev);
    EXPECT_FALSE(parsed.sev->launch_security_listed);
    EXPECT_FALSE(parsed.sev->sev_snp);
}

TEST(DomainCapsDecoder, BeforeLibvirt8NoMaxGuests) {
    const auto parsed = decode_domain_caps_sev(caps(
        "<sev supported='yes'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits></sev>"));
    ASSERT_TRUE(parsed.sev);
    EXPECT_EQ(parsed.sev->max_guests, std::nullopt);
    EXPECT_EQ(parsed.sev->max_es_guests, std::nullopt);
}

TEST(DomainCapsDecoder, NotSupportedAndAbsent) {
    auto parsed = decode_domain_caps_sev(caps("<sev supported='no'/>"));
    ASSERT_TRUE(parsed.sev);
    EXPECT_TRUE(parsed.sev->element_present);
    EXPECT_FALSE(parsed.sev->supported);

    parsed = decode_domain_caps_sev(caps("<gic supported='no'/>"));
    ASSERT_TRUE(parsed.sev);
    EXPECT_FALSE(parsed.sev->element_present);
    EXPECT_FALSE(parsed.sev->supported);
}

TEST(DomainCapsDecoder, Malformed) {
    EXPECT_NE(decode_domain_caps_sev("<domainCapabilities><features><sev").error.find("malformed"),
              std::string::npos);
    EXPECT_NE(decode_domain_caps_sev("<capabilities/>").error.find("domainCapabilities"),
              std::string::npos);
    EXPECT_FALSE(decode_domain_caps_sev("").sev);
    const auto parsed =
        decode_domain_caps_sev(caps("<sev supported='yes'><maxGuests>lots</maxGuests></sev>"));
    EXPECT_FALSE(parsed.sev);
    EXPECT_NE(parsed.error.find("maxGuests"), std::string::npos);
}

TEST(LaunchSecurityDecoder, PolicyBit2IsEs) {
    const auto domain = [](const std::string& ls) { return "<domain>" + ls + "</domain>"; };
    EXPECT_EQ(decode_launch_security(
                  domain("<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>")),
              LaunchSecurityKind::Sev);
    EXPECT_EQ(decode_launch_security(
                  domain("<launchSecurity type='sev'><policy>0x0037</policy></launchSecurity>")),
              LaunchSecurityKind::SevEs);
    // One pool rule (probe::asid_pool): SNP guests take SEV-ES ASIDs.
    EXPECT_EQ(decode_launch_security(domain("<launchSecurity type='sev-snp'/>")),
              LaunchSecurityKind::SevEs);
    EXPECT_EQ(decode_launch_security(domain("<launchSecurity type='s390-pv'/>")),
              LaunchSecurityKind::Other);
    EXPECT_EQ(decode_launch_security(domain("<launchSecurity type='tdx'/>")),
              LaunchSecurityKind::Other);
    EXPECT_EQ(decode_launch_security(domain("")), LaunchSecurityKind::None);
    EXPECT_EQ(decode_launch_security("<domain"), LaunchSecurityKind::None);
}

} // namespace
} // namespace sevd::probe
