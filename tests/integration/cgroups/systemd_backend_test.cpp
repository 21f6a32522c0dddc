// The systemd path against a stand-in org.freedesktop.systemd1 on a private
// bus: the stand-in records SetUnitProperties (sba(sv)) and serves MemoryMax
// back, as systemd does.
#include <cstdlib>
#include <mutex>

#include <gtest/gtest.h>
#include <sdbus-c++/sdbus-c++.h>

#include "cgroups/memory_limit_tuner.h"
#include "cgroups/tune_error.h"
#include "tests/support/private_bus.h"
#include "tests/support/temp_dir.h"

namespace sevd::cgroups {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kSlice = "org.freedesktop.systemd1.Slice";
constexpr const char* kSliceObject = "/org/freedesktop/systemd1/unit/machine_2eslice";
constexpr uint64_t kInfinity = UINT64_MAX;

// The shared private bus denies by default, like the system bus: let the
// test own systemd's name and call it (whoever runs the test).
constexpr const char* kSystemdPolicy = R"(<policy context="default">
    <allow own="org.freedesktop.systemd1"/>
    <allow send_destination="org.freedesktop.systemd1"/>
  </policy>)";

using Properties = std::vector<sdbus::Struct<std::string, sdbus::Variant>>;

struct RecordedCall {
    std::string unit;
    bool runtime = false;
    std::string property;
    std::string signature; // of the variant
    uint64_t value = 0;
};

// A few lines of systemd: LoadUnit, SetUnitProperties, the slice's MemoryMax.
class SystemdStandIn {
public:
    explicit SystemdStandIn(sdbus::IConnection& bus) {
        manager_ = sdbus::createObject(bus, "/org/freedesktop/systemd1");
        manager_->registerMethod("LoadUnit")
            .onInterface(kManager)
            .implementedAs([](const std::string& name) {
                if (name != "machine.slice")
                    throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit", "no " + name);
                return sdbus::ObjectPath(kSliceObject);
            });
        manager_->registerMethod("SetUnitProperties")
            .onInterface(kManager)
            .implementedAs([this](const std::string& name, bool runtime, const Properties& props) {
                record(name, runtime, props);
            });
        manager_->finishRegistration();
        slice_ = sdbus::createObject(bus, kSliceObject);
        slice_->registerProperty("MemoryMax").onInterface(kSlice).withGetter([this] {
            const std::lock_guard lock(mutex_);
            return memory_max_;
        });
        slice_->finishRegistration();
    }

    std::vector<RecordedCall> calls() {
        const std::lock_guard lock(mutex_);
        return calls_;
    }
    void set_memory_max(uint64_t value) {
        const std::lock_guard lock(mutex_);
        memory_max_ = value;
    }
    void refuse_writes() { refuse_ = true; }

private:
    void record(const std::string& name, bool runtime, const Properties& props) {
        if (refuse_)
            throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied", "Access denied");
        const std::lock_guard lock(mutex_);
        for (const auto& property : props) {
            RecordedCall call{name, runtime, property.get<0>(), property.get<1>().peekValueType(),
                              0};
            if (call.signature == "t")
                call.value = property.get<1>().get<uint64_t>();
            if (call.property == "MemoryMax")
                memory_max_ = call.value;
            calls_.push_back(call);
        }
    }

    std::unique_ptr<sdbus::IObject> manager_;
    std::unique_ptr<sdbus::IObject> slice_;
    std::mutex mutex_;
    std::vector<RecordedCall> calls_;
    uint64_t memory_max_ = kInfinity;
    std::atomic<bool> refuse_ = false;
};

class SystemdBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        bus_ = std::make_unique<test::PrivateBus>(kSystemdPolicy);
        // The backend connects like production code: createSystemBusConnection().
        setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_->address().c_str(), 1);
        systemd_bus_ = sdbus::createSystemBusConnection("org.freedesktop.systemd1");
        systemd_ = std::make_unique<SystemdStandIn>(*systemd_bus_);
        systemd_bus_->enterEventLoopAsync();

        // MemTotal 16 GiB = 16777216 kB.
        test::write_file(root_ / "proc/meminfo", "MemTotal:       16777216 kB\n");
        config_.reserved_host_memory_mb = 4096;
    }
    void TearDown() override {
        systemd_bus_->leaveEventLoop();
        systemd_.reset();
        systemd_bus_.reset();
        unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
        bus_.reset();
    }
    MemoryLimitTuner tuner() {
        TunerOptions options;
        options.backend = BackendChoice::Systemd; // this host has no systemd as PID 1
        options.root = root_;
        options.page_size = 4096;
        return MemoryLimitTuner(options);
    }

    std::unique_ptr<test::PrivateBus> bus_;
    std::unique_ptr<sdbus::IConnection> systemd_bus_;
    std::unique_ptr<SystemdStandIn> systemd_;
    test::TempDir temp_{"sevd-systemd-root"};
    const fs::path root_ = temp_.path();
    config::Config config_;
};

// 16 GiB - 4096 MiB = 12 GiB = 12884901888 bytes, page-aligned.
constexpr uint64_t kExpectedLimit = 12884901888ull;

TEST_F(SystemdBackendTest, AppliesMemoryMaxThroughSetUnitProperties) {
    auto t = tuner();
    EXPECT_STREQ(t.backend_name(), "systemd");
    const auto result = t.apply(config_, false, 0);
    EXPECT_EQ(result.action, TuneAction::Applied);
    const auto calls = systemd_->calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].unit, "machine.slice");
    EXPECT_TRUE(calls[0].runtime);
    EXPECT_EQ(calls[0].property, "MemoryMax");
    EXPECT_EQ(calls[0].signature, "t");
    EXPECT_EQ(calls[0].value, kExpectedLimit);
    EXPECT_EQ(result.before.limit_bytes, 0u); // MemoryMax=infinity means none
    EXPECT_EQ(result.after.limit_bytes, kExpectedLimit);
    EXPECT_EQ(result.after.source, "systemd");
    EXPECT_TRUE(result.changed);
}

TEST_F(SystemdBackendTest, AlreadyInForceCallsNothing) {
    systemd_->set_memory_max(kExpectedLimit);
    const auto result = tuner().apply(config_, false, 0);
    EXPECT_EQ(result.action, TuneAction::AlreadyInForce);
    EXPECT_TRUE(systemd_->calls().empty());
}

TEST_F(SystemdBackendTest, DryRunCallsNothing) {
    const auto result = tuner().apply(config_, true, 0);
    EXPECT_EQ(result.action, TuneAction::DryRun);
    EXPECT_EQ(result.computed_limit_bytes, kExpectedLimit);
    EXPECT_NE(result.message.find("MemoryMax=12884901888 on machine.slice through systemd"),
              std::string::npos);
    EXPECT_TRUE(systemd_->calls().empty());
}

TEST_F(SystemdBackendTest, RefusalBelowRunningGuestsCallsNothing) {
    // One 12 GiB guest locks 12 GiB + 16 MiB > the 12 GiB limit.
    try {
        tuner().apply(config_, false, 12884901888ull + 16ull * 1024 * 1024);
        FAIL() << "no refusal";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::InsufficientMemory);
        EXPECT_EQ(e.result().after.limit_bytes, 0u);
    }
    EXPECT_TRUE(systemd_->calls().empty());
}

TEST_F(SystemdBackendTest, SystemdRefusingLeavesTheOldLimitAndSaysSo) {
    systemd_->set_memory_max(8ull << 30); // 8 GiB in force
    systemd_->refuse_writes();
    try {
        tuner().apply(config_, false, 0);
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::Io);
        EXPECT_EQ(e.result().after.limit_bytes, 8ull << 30);
        EXPECT_NE(std::string(e.what()).find("AccessDenied"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("the limit in force stays 8 GiB"), std::string::npos);
    }
}

TEST_F(SystemdBackendTest, NoSystemdOnTheBusIsAnIoError) {
    systemd_bus_->leaveEventLoop();
    systemd_.reset();
    systemd_bus_.reset(); // the name org.freedesktop.systemd1 is gone
    try {
        tuner().current();
        FAIL() << "no error";
    } catch (const TuneError& e) {
        EXPECT_EQ(e.kind(), TuneError::Kind::Io);
        EXPECT_NE(std::string(e.what()).find("systemd could not load machine.slice"),
                  std::string::npos);
    }
    systemd_bus_ = sdbus::createSystemBusConnection(); // for TearDown
    systemd_bus_->enterEventLoopAsync();
}

} // namespace
} // namespace sevd::cgroups
