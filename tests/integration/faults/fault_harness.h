// Shared by the fault tests: a bus view of org.sevd.Host1 read through
// Describe() (the JSON of DESIGN.md, robust against how the typed properties
// are grouped), polling with a deadline, and error names of failed calls.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <sdbus-c++/sdbus-c++.h>

#include "tests/support/bus_client.h"
#include "tests/support/wait_until.h"

namespace sevd::test::faults {

using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kHostName = "org.sevd.Host1";
inline constexpr const char* kHostPath = "/org/sevd/Host1";
inline constexpr const char* kHostInterface = "org.sevd.Host1";
inline constexpr const char* kLauncherPath = "/org/sevd/Launcher1";
inline constexpr const char* kLauncherInterface = "org.sevd.Launcher1";
inline constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";
inline constexpr const char* kKvmUevent = "/sys/class/misc/kvm/uevent";
// Generous bound for a state change the daemon makes in the background.
inline constexpr auto kSettle = 15s;

// The 1 s responsiveness bound of the issue is for the optimized build (NDEBUG);
// unoptimized and sanitizer builds run several times slower, so there the
// figure is printed but not asserted.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SEVD_FAULTS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SEVD_FAULTS_SANITIZED 1
#endif
#endif
#if defined(NDEBUG) && !defined(SEVD_FAULTS_SANITIZED)
inline constexpr bool kResponsivenessBoundApplies = true;
#else
inline constexpr bool kResponsivenessBoundApplies = false;
#endif
inline constexpr auto kResponsivenessBound = 1s;
// Where the bound applies, a GetAll slower than it is cut off at it.
inline constexpr std::chrono::microseconds kGetAllTimeout = kResponsivenessBoundApplies ? 1s : 25s;

// Host1 through its own connection (no event loop: plain blocking calls).
class HostView {
public:
    explicit HostView(const std::string& address)
        : conn_(connect_to(address)), proxy_(sdbus::createProxy(*conn_, kHostName, kHostPath)) {
        proxy_->finishRegistration();
    }

    Json describe() {
        std::string text;
        proxy_->callMethod("Describe").onInterface(kHostInterface).storeResultsTo(text);
        return Json::parse(text);
    }
    void refresh(std::chrono::microseconds timeout = 25s) {
        proxy_->callMethod("Refresh").onInterface(kHostInterface).withTimeout(timeout);
    }
    std::map<std::string, sdbus::Variant> get_all(std::chrono::microseconds timeout = 25s) {
        std::map<std::string, sdbus::Variant> all;
        proxy_->callMethod("GetAll")
            .onInterface(kPropertiesInterface)
            .withTimeout(timeout)
            .withArguments(std::string(kHostInterface))
            .storeResultsTo(all);
        return all;
    }
    // Refresh, then Describe: the daemon re-reads the snapshot synchronously on
    // Refresh (libvirt is re-read in the background).
    Json refreshed() {
        refresh();
        return describe();
    }

private:
    std::unique_ptr<sdbus::IConnection> conn_;
    std::unique_ptr<sdbus::IProxy> proxy_;
};

// {total, used} of a model's pool from a Describe() object.
inline std::pair<int, int> slots_of(const Json& report, const std::string& model) {
    const auto& pool = report.at("slots").at(model);
    return {pool.at("total").get<int>(), pool.at("used").get<int>()};
}

// The status of the check `id` in a Describe() object ("" when absent).
inline std::string check_status(const Json& report, const std::string& id) {
    for (const auto& check : report.at("checks"))
        if (check.at("id") == id)
            return check.at("status").get<std::string>();
    return "";
}

} // namespace sevd::test::faults
