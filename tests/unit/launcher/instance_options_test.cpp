// disk_format, sevd:network and sevd:seed: each rule, each refusal naming
// what is accepted (DESIGN.md "Launch requests").
#include <gtest/gtest.h>

#include "launcher/launch_error.h"
#include "launcher/request_validator.h"

namespace sevd::launcher {
namespace {

ValidationContext context_with_networks(std::vector<std::string> networks) {
    ValidationContext context;
    context.networks = std::move(networks);
    return context;
}

LaunchRequest with(std::map<std::string, std::string> properties) {
    return {"guest", 1024, 1, "/images/disk.img", std::move(properties)};
}

std::string refusal(const LaunchRequest& request, const ValidationContext& context = {}) {
    try {
        validate_request(request, context);
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(InstanceOptions, DiskFormatIsRawUnlessStated) {
    EXPECT_EQ(validate_request(with({}), {}).disk_format, ImageFormat::Raw);
    EXPECT_EQ(validate_request(with({{"disk_format", "qcow2"}}), {}).disk_format,
              ImageFormat::Qcow2);
    EXPECT_EQ(validate_request(with({{"disk_format", "RAW"}}), {}).disk_format, ImageFormat::Raw);
    const auto message = refusal(with({{"disk_format", "vmdk"}}));
    EXPECT_NE(message.find("accepted values: raw, qcow2"), std::string::npos) << message;
}

TEST(InstanceOptions, NetworksMustBeAllowed) {
    const auto context = context_with_networks({"default", "guests"});
    EXPECT_EQ(validate_request(with({{"sevd:network", "default"}}), context).networks,
              std::vector<std::string>{"default"});
    EXPECT_EQ(validate_request(with({{"sevd:network", "guests, default"}}), context).networks,
              (std::vector<std::string>{"guests", "default"}));
    EXPECT_TRUE(validate_request(with({}), context).networks.empty());

    auto message = refusal(with({{"sevd:network", "default,host-bridge"}}), context);
    EXPECT_NE(message.find("'host-bridge'"), std::string::npos) << message;
    EXPECT_NE(message.find("allowed: default, guests"), std::string::npos) << message;
    message = refusal(with({{"sevd:network", "default,default"}}), context);
    EXPECT_NE(message.find("named twice"), std::string::npos) << message;
    message = refusal(with({{"sevd:network", "default,"}}), context); // an empty name
    EXPECT_NE(message.find("network ''"), std::string::npos) << message;
    message = refusal(with({{"sevd:network", "default"}})); // nothing allowed
    EXPECT_NE(message.find("[guests] networks in sevd.conf is empty"), std::string::npos)
        << message;
}

TEST(InstanceOptions, SeedIsAnAbsolutePath) {
    EXPECT_EQ(validate_request(with({{"sevd:seed", "/images/seed.iso"}}), {}).seed,
              "/images/seed.iso");
    EXPECT_TRUE(validate_request(with({}), {}).seed.empty());
    EXPECT_NE(refusal(with({{"sevd:seed", "seed.iso"}})).find("absolute path"), std::string::npos);
}

TEST(InstanceOptions, AreAmongTheAcceptedKeys) {
    const auto message = refusal(with({{"sevd:networks", "default"}}));
    for (const char* key : {"disk_format", "sevd:network", "sevd:seed"})
        EXPECT_NE(message.find(key), std::string::npos) << message;
}

} // namespace
} // namespace sevd::launcher
