// Scale figures (issue 16) on a Genoa-sized snapshot with libvirt's test
// driver inside the daemon's helper: guests are launched one after the other
// up to 1,000, and at 1, 100 and 1,000 running guests the bench measures the
// Launch round trip (median and p99 of the launches that brought the count
// there), GetAll on Launcher1, the daemon's RSS, and the export rewrite.
// A restart's re-sync reads test-driver node files holding 1, 100 and 1,000
// running guests that carry sevd's mark. Figures are printed, never asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <systemd/sd-bus.h>

#include "dbus/host_client.h"
#include "dbus/launcher_client.h"
#include "export/fleet_exporter.h"
#include "probe/prober.h"
#include "tests/bench/figure.h"
#include "tests/bench/raw_bus.h"
#include "tests/support/bus_client.h"
#include "tests/support/private_bus.h"
#include "tests/support/sevd_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace sevd::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
const std::filesystem::path kGenoa = SEVD_FIXTURES_DIR "/genoa-9654";
constexpr int kGuests = 1000;
constexpr uint64_t kGuestMib = 256; // the smallest guest sevd accepts
const std::vector<int> kMarks = {1, 100, kGuests};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto index = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(index, v.size() - 1)];
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

uint64_t rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Rss:", 0) == 0)
            return std::stoull(line.substr(4));
    return 0;
}

// Median round trip of `call` over 50 calls.
template <typename Call>
double median_ms(Call call) {
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) {
        const auto start = Clock::now();
        call();
        ms.push_back(ms_since(start));
    }
    return percentile(ms, 0.5);
}

// Renders both exports and replaces the files, as the daemon's worker does
// (the values hold per-model counts: their size does not grow with guests).
double median_export_ms(const std::filesystem::path& dir, int running) {
    exports::FleetExporter exporter({dir / "sevd.prom", dir});
    exports::ExportValues values;
    values.report = probe::build_report(probe::read_host_facts(kGenoa), std::nullopt, std::nullopt);
    values.ledger = exports::LedgerCounts{
        {{EncryptionModel::Sev, static_cast<uint32_t>(running), 0}, {EncryptionModel::SevEs, 0, 0}},
        running * (kGuestMib + 16) * 1024 * 1024};
    values.memory_limit_bytes = 0;
    values.launches = exports::LaunchCounts{};
    std::vector<double> ms;
    for (int i = 0; i < 30; ++i) {
        const auto start = Clock::now();
        exporter.write(values, std::chrono::system_clock::now());
        ms.push_back(ms_since(start));
    }
    return percentile(ms, 0.5);
}

struct Mark {
    int guests = 0;
    double launch_median_ms = 0, launch_p99_ms = 0, get_all_ms = 0, get_id_ms = 0, export_ms = 0;
    uint64_t rss_kib = 0;
};

TEST(ScaleBench, ThousandGuestsOnAGenoaSizedHost) {
    TempDir dir("sevd-scale");
    auto setup = launch_setup(dir, kGenoa);
    const auto exports = dir.path() / "exports";
    std::filesystem::create_directories(exports);
    std::ofstream(*setup.options.config, std::ios::app)
        << "[export]\nprometheus_textfile = " << (exports / "sevd.prom").string()
        << "\nnfd_features_dir = " << exports.string() << "\n";
    PrivateBus bus;
    SevdDaemon daemon(bus, setup.options);
    auto conn = connect_to(bus.address());
    dbus::HostClient host(*conn);
    ASSERT_TRUE(
        wait_until([&] { return host.Ready() && host.libvirt().value("available", false); }, 20s))
        << daemon.log();
    dbus::LauncherClient launcher(*conn);
    sevd::bench::RawBus raw(bus.address());

    std::vector<double> launch_ms; // launch_ms[i]: the launch that made i + 1 guests run
    const auto launch_until = [&](int count) {
        while (static_cast<int>(launch_ms.size()) < count) {
            const auto start = Clock::now();
            launcher.Launch("g" + std::to_string(launch_ms.size() + 1), kGuestMib, 1, setup.disk,
                            {});
            launch_ms.push_back(ms_since(start));
        }
    };
    // Launch figures come from a window of 50 launches: the first 50 for the
    // mark at 1 guest, the 50 that led up to the mark otherwise.
    constexpr int kWindow = 50;
    const auto window = [&](int last) {
        return std::vector<double>(launch_ms.begin() + (last - kWindow), launch_ms.begin() + last);
    };
    std::filesystem::create_directories(dir.path() / "bench-export");
    std::vector<Mark> marks;
    const auto run_start = Clock::now();
    for (const int n : kMarks) {
        launch_until(n);
        Mark mark;
        mark.guests = n;
        // Settled: the re-reading and export write that follow a launch are done.
        std::this_thread::sleep_for(500ms);
        mark.get_id_ms = median_ms([&] {
            raw.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "GetId", nullptr);
        });
        mark.get_all_ms = median_ms([&] {
            raw.call("org.sevd.Host1", "/org/sevd/Launcher1", "org.freedesktop.DBus.Properties",
                     "GetAll", "org.sevd.Launcher1");
        });
        mark.rss_kib = rss_kib(daemon.pid());
        mark.export_ms = median_export_ms(dir.path() / "bench-export", n);
        launch_until(std::max(n, kWindow));
        const auto recent = window(std::max(n, kWindow));
        mark.launch_median_ms = percentile(recent, 0.5);
        mark.launch_p99_ms = percentile(recent, 0.99);
        marks.push_back(mark);
    }
    std::printf("%d launches in %.1f s\n", kGuests, ms_since(run_start) / 1000);

    const Mark& one = marks.front();
    for (const auto& m : marks) {
        const std::string at = " at " + std::to_string(m.guests) + " guests";
        const double ratio = m.launch_median_ms / one.launch_median_ms;
        sevd::bench::print_figure({"Launch round trip" + at + " (median / p99)",
                                   sevd::bench::format("%.2f ms", m.launch_median_ms) + " / " +
                                       sevd::bench::format("%.2f ms", m.launch_p99_ms),
                                   sevd::bench::format("at 1: %.2f ms", one.launch_median_ms),
                                   sevd::bench::format("%.2f", ratio), "<= 2x at 1 guest",
                                   ratio <= 2.0});
        sevd::bench::print_figure({"GetAll org.sevd.Launcher1" + at,
                                   sevd::bench::format("%.3f ms", m.get_all_ms),
                                   sevd::bench::format("GetId %.3f ms", m.get_id_ms),
                                   sevd::bench::format("%.1f", m.get_all_ms / m.get_id_ms),
                                   "<= 5 ms", m.get_all_ms <= 5.0});
        const double budget_kib = 8 * 1024 + 2.0 * m.guests;
        sevd::bench::print_figure(
            {"sevd-daemon RSS" + at,
             sevd::bench::format("%.2f MiB", static_cast<double>(m.rss_kib) / 1024.0), "-", "-",
             sevd::bench::format("<= %.2f MiB (8 MiB + 2 KiB/guest)", budget_kib / 1024),
             static_cast<double>(m.rss_kib) <= budget_kib});
        sevd::bench::print_figure({"Export rewrite (textfile + 2 NFD files, fsync)" + at,
                                   sevd::bench::format("%.3f ms", m.export_ms), "-", "-", "-",
                                   true});
    }
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

// A test-driver node file with `count` running SEV guests carrying sevd's mark.
std::filesystem::path node_file(const std::filesystem::path& dir, int count) {
    const auto path = dir / ("node-" + std::to_string(count) + ".xml");
    std::ofstream out(path);
    out << "<node><cpu><nodes>1</nodes><sockets>2</sockets><cores>96</cores><threads>2</threads>"
           "<mhz>2400</mhz><model>EPYC-Genoa</model></cpu><memory>1584805664</memory>\n";
    for (int i = 1; i <= count; ++i) {
        char uuid[40];
        std::snprintf(uuid, sizeof uuid, "5e7d0000-0000-4000-8000-%012d", i);
        out << "<domain type='test'><name>g" << i << "</name><uuid>" << uuid
            << "</uuid><metadata><sevd:guest xmlns:sevd='urn:sevd:guest:1' model='amd-sev'/>"
               "</metadata><memory unit='MiB'>"
            << kGuestMib
            << "</memory><os><type arch='x86_64' machine='q35'>hvm</type></os>"
               "<launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1"
               "</reducedPhysBits><policy>0x0033</policy></launchSecurity></domain>\n";
    }
    out << "</node>\n";
    return path;
}

size_t guest_count(sdbus::IProxy& launcher) {
    sdbus::Variant guests;
    launcher.callMethod("Get")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments("org.sevd.Launcher1", "Guests")
        .storeResultsTo(guests);
    return guests.get<std::vector<sdbus::Struct<std::string, std::string, std::string, uint64_t>>>()
        .size();
}

// From exec of `sevd serve` until Launcher1.Guests lists every running guest
// of the node file (bus name, libvirt connection through the helper, listing
// and reading each domain).
TEST(ScaleBench, ResyncAfterARestart) {
    TempDir dir("sevd-resync");
    auto setup = launch_setup(dir, kGenoa);
    PrivateBus bus;
    for (const int n : kMarks) {
        setup.options.libvirt_uri = "test://" + node_file(dir.path(), n).string();
        const auto start = Clock::now();
        SevdDaemon daemon(bus, setup.options);
        auto conn = connect_to(bus.address());
        auto launcher = sdbus::createProxy(*conn, "org.sevd.Host1", "/org/sevd/Launcher1");
        launcher->finishRegistration();
        const bool synced =
            wait_until([&] { return guest_count(*launcher) == static_cast<size_t>(n); }, 30s, 1ms);
        const double ms = ms_since(start);
        EXPECT_TRUE(synced) << daemon.log();
        sevd::bench::print_figure(
            {"Restart to re-synced Launcher1.Guests at " + std::to_string(n) + " guests",
             sevd::bench::format("%.1f ms", ms), "-", "-", "<= 1 s at 1000", ms <= 1000});
        EXPECT_EQ(daemon.stop(), 0) << daemon.log();
    }
}

} // namespace
} // namespace sevd::test
