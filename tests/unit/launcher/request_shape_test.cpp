// Name, size and path limits, the normalised fields, and the host-support
// refusal (Unsupported) of validate_request().
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "launcher/launch_error.h"
#include "launcher/request_validator.h"

namespace sevd::launcher {
namespace {

LaunchRequest base() {
    return {"web-1", 1024, 2, "/images/web-1.img", {}};
}

ErrorCode refusal(const LaunchRequest& request, const ValidationContext& context = {}) {
    try {
        validate_request(request, context);
    } catch (const LaunchError& e) {
        return e.code();
    }
    ADD_FAILURE() << "request was accepted";
    return ErrorCode::Libvirt;
}

TEST(GuestName, AcceptsTheDocumentedAlphabet) {
    EXPECT_TRUE(is_valid_guest_name("a"));
    EXPECT_TRUE(is_valid_guest_name("9"));
    EXPECT_TRUE(is_valid_guest_name("A.b_c-9"));
    EXPECT_TRUE(is_valid_guest_name(std::string(64, 'x')));
}

TEST(GuestName, RefusesEverythingElse) {
    for (const std::string& name :
         std::vector<std::string>{"", "-a", ".a", "_a", "a b", "a<b", "a&b", "a'b", "a\"b", "a/b",
                                  "é", std::string(65, 'x')}) {
        auto request = base();
        request.name = name;
        EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument) << name;
    }
}

TEST(Sizes, MemoryBoundsAreInclusive) {
    auto request = base();
    request.memory_mib = kMinMemoryMib;
    EXPECT_NO_THROW(validate_request(request, {}));
    request.memory_mib = kMaxMemoryMib;
    EXPECT_NO_THROW(validate_request(request, {}));
    request.memory_mib = kMinMemoryMib - 1;
    EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument);
    request.memory_mib = kMaxMemoryMib + 1;
    EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument);
}

TEST(Sizes, VcpuBoundsAreInclusive) {
    auto request = base();
    request.vcpus = 1;
    EXPECT_NO_THROW(validate_request(request, {}));
    request.vcpus = 512;
    EXPECT_NO_THROW(validate_request(request, {}));
    request.vcpus = 0;
    EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument);
    request.vcpus = 513;
    EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument);
}

TEST(DiskShape, MustBeAnAbsolutePathWithoutControlCharacters) {
    for (const std::string& disk :
         std::vector<std::string>{"", "images/x.img", "x.img", "/images/a\nb.img",
                                  std::string("/images/a\0b", 11), "/" + std::string(4095, 'a')}) {
        auto request = base();
        request.disk = disk;
        EXPECT_EQ(refusal(request), ErrorCode::InvalidArgument) << disk;
    }
}

TEST(Normalised, DefaultsAreQ35VirtioSmallPagesNoNuma) {
    const auto v = validate_request(base(), {});
    EXPECT_EQ(v.name, "web-1");
    EXPECT_EQ(v.machine_type, "q35");
    EXPECT_EQ(v.disk_bus, DiskBus::Virtio);
    EXPECT_EQ(v.page_size, PageSize{});
    EXPECT_EQ(v.numa_nodes, 0u);
    EXPECT_EQ(v.model, EncryptionModel::Sev);
}

TEST(Normalised, MachineTypeDefaultComesFromTheConfig) {
    ValidationContext context;
    context.default_machine_type = "pc-q35-7.2";
    EXPECT_EQ(validate_request(base(), context).machine_type, "pc-q35-7.2");
    context.default_machine_type = "pc";
    EXPECT_EQ(refusal(base(), context), ErrorCode::InvalidArgument);
}

TEST(Normalised, PageSizesInKib) {
    auto request = base();
    request.properties = {{"hw:mem_page_size", "1GB"}};
    EXPECT_EQ(validate_request(request, {}).page_size, (PageSize{true, 1048576}));
    request.properties = {{"hw:mem_page_size", "large"}};
    EXPECT_EQ(validate_request(request, {}).page_size, (PageSize{true, 0}));
    request.properties = {{"hw:mem_page_size", "any"}};
    EXPECT_EQ(validate_request(request, {}).page_size, PageSize{});
}

TEST(HostSupport, ModelTheHostCannotRunIsUnsupportedWithTheReason) {
    ValidationContext context;
    context.sev_es = {false, "amd-sev-es cannot be launched on this host: no SEV-ES ASIDs"};
    auto request = base();
    request.properties = {{"hw_mem_encryption_model", "amd-sev-es"}};
    try {
        validate_request(request, context);
        FAIL();
    } catch (const LaunchError& e) {
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_STREQ(e.what(), "amd-sev-es cannot be launched on this host: no SEV-ES ASIDs");
    }
    request.properties = {{"hw_mem_encryption_model", "amd-sev"}};
    EXPECT_NO_THROW(validate_request(request, context));
}

TEST(HostSupport, RequestErrorsComeBeforeHostSupport) {
    ValidationContext context;
    context.sev = {false, "no SEV"};
    auto request = base();
    request.properties = {{"hw_disk_bus", "ide"}};
    EXPECT_EQ(refusal(request, context), ErrorCode::InvalidArgument);
}

} // namespace
} // namespace sevd::launcher
