// Attestation end to end on the emulated SEV host: the guest owner's flow
// through sevd (certificates -> paused launch with the owner's session ->
// measurement -> secret injection -> resume), the ledger at each step, every
// refusal as a named error, the timeout, and sevdctl as the owner types it.
// The fake QEMU's log shows what reached "QEMU": the exact blobs libvirt was
// given, the exact secret bytes. (It proves what libvirt and sevd do with
// QEMU's answers, not what real firmware would measure.)
#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/emulated_host/emulated_launch_host.h"

namespace sevd::test {
namespace {

using nlohmann::json;
using Properties = std::map<std::string, std::string>;

constexpr const char* kInvalidArgument = "org.sevd.Error.InvalidArgument";
constexpr int kSevPolicy = 0x33;

// RFC 4648 base64 of `size` bytes of a pattern seeded by `seed` (test data).
std::string base64_of(size_t size, unsigned seed) {
    static constexpr char kSymbols[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 31 + seed) & 0xff);
    std::string out;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t chunk = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < size)
            chunk |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        if (i + 2 < size)
            chunk |= static_cast<unsigned char>(bytes[i + 2]);
        out += kSymbols[(chunk >> 18) & 63];
        out += kSymbols[(chunk >> 12) & 63];
        out += i + 1 < size ? kSymbols[(chunk >> 6) & 63] : '=';
        out += i + 2 < size ? kSymbols[chunk & 63] : '=';
    }
    return out;
}

// The owner's blobs at the sizes AMD's SEV API gives them.
const std::string kDhCert = base64_of(2084, 1);
const std::string kSession = base64_of(128, 2);
const std::string kHeader = base64_of(52, 3);
const std::string kSecret = base64_of(64, 4);

Properties attestation(const std::string& dh_cert = kDhCert,
                       const std::string& session = kSession) {
    return {{"sevd:attestation", "true"}, {"sevd:dh_cert", dh_cert}, {"sevd:session", session}};
}

class Attestation : public EmulatedLaunchHost<Attestation> {
protected:
    void SetUp() override {
        EmulatedLaunchHost::SetUp();
        if (not_ready())
            return;
        start_daemon(extra_config());
    }
    virtual std::string extra_config() const { return ""; }

    std::vector<json> commands_of(const std::string& name, const std::string& execute) {
        std::vector<json> out;
        for (const auto& c : host_->qmp_commands(host_->domain_pid(name)))
            if (c["execute"] == execute)
                out.push_back(c["arguments"]);
        return out;
    }

    // The sev-guest object the fake saw for `name`: the blobs libvirt handed QEMU.
    json sev_guest_of(const std::string& name) {
        const auto pid = host_->domain_pid(name);
        for (const auto& entry : host_->qemu_log())
            if (entry.value("kind", "") == "sev-guest" && entry.value("pid", -1) == pid)
                return entry;
        return json();
    }

    void stop_quietly(const std::string& name) {
        try {
            launcher_->Stop(name);
        } catch (const sdbus::Error&) {
        }
    }
};

TEST_F(Attestation, OwnerFlowCertsPausedLaunchMeasureInjectResume) {
    if (not_ready())
        return;
    const auto sev = fixture_sev_answers();
    // 1. The platform's certificates, as the fake's query-sev-capabilities gave them.
    const auto [pdh, chain] = host_client_->Certificates();
    EXPECT_EQ(pdh, sev.pdh);
    EXPECT_EQ(chain, sev.cert_chain);

    // 2. A paused launch with the owner's session: it holds its slot at once.
    const auto uuid = launcher_->Launch("owner-vm", 512, 1, disk_, attestation());
    EXPECT_EQ(uuid.size(), 36u);
    EXPECT_TRUE(wait_used(false, 1));
    ASSERT_EQ(launcher_->Guests().size(), 1u);
    const auto seen = sev_guest_of("owner-vm");
    EXPECT_EQ(seen["dh_cert"], kDhCert) << seen.dump();
    EXPECT_EQ(seen["session"], kSession) << seen.dump();
    EXPECT_EQ(seen["object"]["policy"], kSevPolicy);
    EXPECT_TRUE(commands_of("owner-vm", "cont").empty()) << "the guest ran before attestation";

    // 3. The measurement is the fake's LAUNCH_MEASURE, with the firmware's version.
    const auto [measurement, major, minor, build, policy] = launcher_->Measurement("owner-vm");
    EXPECT_EQ(measurement, sev.measurement);
    EXPECT_EQ(major, sev.api_major);
    EXPECT_EQ(minor, sev.api_minor);
    EXPECT_EQ(build, sev.build_id);
    EXPECT_EQ(policy, static_cast<uint32_t>(kSevPolicy));
    EXPECT_TRUE(wait_used(false, 1));

    // 4. The secret reaches QEMU byte for byte; gpa 0 leaves the address to libvirt.
    launcher_->InjectSecret("owner-vm", kHeader, kSecret, 0);
    launcher_->InjectSecret("owner-vm", kHeader, kSecret, 0x800000);
    const auto injected = commands_of("owner-vm", "sev-inject-launch-secret");
    ASSERT_EQ(injected.size(), 2u);
    EXPECT_EQ(injected[0], (json{{"packet-header", kHeader}, {"secret", kSecret}}));
    EXPECT_EQ(injected[1],
              (json{{"packet-header", kHeader}, {"secret", kSecret}, {"gpa", 0x800000}}));
    EXPECT_TRUE(wait_used(false, 1));

    // 5. Resume: the guest runs; it stays listed and keeps its slot.
    launcher_->Resume("owner-vm");
    EXPECT_EQ(commands_of("owner-vm", "cont").size(), 1u);
    EXPECT_EQ(launcher_->Guests().size(), 1u);
    EXPECT_TRUE(wait_used(false, 1));

    // A running guest is past attestation.
    EXPECT_EQ(error_name_of([&] { launcher_->Measurement("owner-vm"); }), kInvalidArgument);
    EXPECT_EQ(error_name_of([&] { launcher_->InjectSecret("owner-vm", kHeader, kSecret, 0); }),
              kInvalidArgument);
    EXPECT_EQ(error_name_of([&] { launcher_->Resume("owner-vm"); }), kInvalidArgument);
    EXPECT_EQ(commands_of("owner-vm", "sev-inject-launch-secret").size(), 2u);

    launcher_->Stop("owner-vm");
    EXPECT_TRUE(wait_used(false, 0));
}

TEST_F(Attestation, BadRequestsAreInvalidArgumentAndHoldNoSlot) {
    if (not_ready())
        return;
    auto launch = [&](const Properties& properties) {
        return error_name_of([&] { launcher_->Launch("bad-attest", 512, 1, disk_, properties); });
    };
    EXPECT_EQ(launch({{"sevd:attestation", "true"}}), kInvalidArgument) << "no blobs";
    EXPECT_EQ(launch({{"sevd:attestation", "true"}, {"sevd:dh_cert", kDhCert}}), kInvalidArgument)
        << "no session";
    EXPECT_EQ(launch({{"sevd:dh_cert", kDhCert}, {"sevd:session", kSession}}), kInvalidArgument)
        << "blobs without attestation";
    EXPECT_EQ(launch(attestation(base64_of(2083, 1))), kInvalidArgument) << "short certificate";
    EXPECT_EQ(launch(attestation(kDhCert, base64_of(129, 2))), kInvalidArgument) << "long session";
    EXPECT_EQ(launch(attestation(kDhCert, "not base64!" + kSession.substr(11))), kInvalidArgument)
        << "session not base64";
    EXPECT_EQ(launch(attestation(kDhCert + "AAAA")), kInvalidArgument) << "over the length limit";
    EXPECT_TRUE(launcher_->Guests().empty());
    EXPECT_TRUE(wait_used(false, 0));

    // Names that are no guest paused for attestation.
    EXPECT_EQ(error_name_of([&] { launcher_->Measurement("nobody-here"); }), kInvalidArgument);
    EXPECT_EQ(error_name_of([&] { launcher_->Resume("nobody-here"); }), kInvalidArgument);
    EXPECT_EQ(error_name_of([&] { launcher_->Measurement("../etc"); }), kInvalidArgument);
    launcher_->Launch("plain-vm", 512, 1, disk_, {});
    EXPECT_EQ(error_name_of([&] { launcher_->Measurement("plain-vm"); }), kInvalidArgument)
        << "a guest launched without attestation";
    EXPECT_EQ(error_name_of([&] { launcher_->InjectSecret("plain-vm", kHeader, kSecret, 0); }),
              kInvalidArgument);

    // Secret blobs are checked before anything reaches libvirt.
    launcher_->Launch("paused-vm", 512, 1, disk_, attestation());
    EXPECT_EQ(
        error_name_of([&] { launcher_->InjectSecret("paused-vm", base64_of(51, 3), kSecret, 0); }),
        kInvalidArgument)
        << "header is not 52 bytes";
    EXPECT_EQ(error_name_of([&] { launcher_->InjectSecret("paused-vm", kHeader, "", 0); }),
              kInvalidArgument)
        << "empty secret";
    EXPECT_EQ(error_name_of(
                  [&] { launcher_->InjectSecret("paused-vm", kHeader, base64_of(4097, 4), 0); }),
              kInvalidArgument)
        << "secret above the firmware's page";
    EXPECT_TRUE(commands_of("paused-vm", "sev-inject-launch-secret").empty());
    EXPECT_TRUE(wait_used(false, 2));
    stop_quietly("plain-vm");
    stop_quietly("paused-vm");
    EXPECT_TRUE(wait_used(false, 0));
}

TEST_F(Attestation, CertificatesAreReadableByAnyoneTheRestIsPrivileged) {
    if (not_ready())
        return;
    auto busctl_as_nobody = [&](const std::string& path, const std::string& interface,
                                std::vector<std::string> call) {
        std::vector<std::string> argv = {
            "busctl", "--address=" + bus_->address(), "call", "org.sevd.Host1", path, interface};
        argv.insert(argv.end(), call.begin(), call.end());
        return run_command(as_nobody(argv));
    };
    const auto certs = busctl_as_nobody("/org/sevd/Host1", "org.sevd.Host1", {"Certificates"});
    EXPECT_EQ(certs.exit_code, 0) << certs.output;
    EXPECT_NE(certs.output.find(fixture_sev_answers().pdh), std::string::npos) << certs.output;
    for (const auto& call : std::vector<std::vector<std::string>>{
             {"Measurement", "s", "x"},
             {"Resume", "s", "x"},
             {"InjectSecret", "ssst", "x", kHeader, kSecret, "0"}}) {
        const auto denied = busctl_as_nobody("/org/sevd/Launcher1", "org.sevd.Launcher1", call);
        EXPECT_NE(denied.exit_code, 0) << call[0];
        const bool named = denied.output.find("Access denied") != std::string::npos ||
                           denied.output.find("AccessDenied") != std::string::npos;
        EXPECT_TRUE(named) << call[0] << ": " << denied.output;
    }
}

TEST_F(Attestation, SevdctlDrivesTheOwnerFlow) {
    if (not_ready())
        return;
    const auto files = dir_.path() / "owner";
    write_file(files / "godh.b64", kDhCert + "\n");
    write_file(files / "session.b64", kSession + "\n");
    write_file(files / "header.b64", kHeader + "\n");
    write_file(files / "secret.b64", kSecret + "\n");
    auto sevdctl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), kSevdctlBinary);
        return run_command(args, bus_->env(), std::chrono::seconds(60));
    };
    const auto certs = sevdctl({"certs", "--json"});
    ASSERT_EQ(certs.exit_code, 0) << certs.output;
    EXPECT_EQ(json::parse(certs.output)["cert_chain"], fixture_sev_answers().cert_chain);
    const auto launched = sevdctl({"launch", "ctl-vm", "--memory", "512", "--vcpus", "1", "--disk",
                                   disk_, "--attest", "--dh-cert", (files / "godh.b64").string(),
                                   "--session", (files / "session.b64").string()});
    ASSERT_EQ(launched.exit_code, 0) << launched.output;
    EXPECT_NE(launched.output.find("paused for attestation"), std::string::npos);
    EXPECT_EQ(sev_guest_of("ctl-vm")["session"], kSession);
    const auto measured = sevdctl({"measurement", "ctl-vm", "--json"});
    ASSERT_EQ(measured.exit_code, 0) << measured.output;
    EXPECT_EQ(json::parse(measured.output)["measurement"], fixture_sev_answers().measurement);
    const auto injected = sevdctl({"inject", "ctl-vm", "--header", (files / "header.b64").string(),
                                   "--secret", (files / "secret.b64").string()});
    ASSERT_EQ(injected.exit_code, 0) << injected.output;
    EXPECT_EQ(commands_of("ctl-vm", "sev-inject-launch-secret").at(0)["secret"], kSecret);
    EXPECT_EQ(sevdctl({"resume", "ctl-vm"}).exit_code, 0);
    const auto again = sevdctl({"resume", "ctl-vm"});
    EXPECT_EQ(again.exit_code, 1) << again.output; // refused: named error
    EXPECT_NE(again.output.find("not paused for attestation"), std::string::npos) << again.output;
    EXPECT_EQ(
        sevdctl({"launch", "x", "--memory", "512", "--vcpus", "1", "--disk", disk_, "--attest"})
            .exit_code,
        2)
        << "--attest without the blobs is a usage error";
    stop_quietly("ctl-vm");
}

// sevd's mark says which guests still wait for their owners (attestation=
// pending until sevd resumes one): a restarted daemon adopts those again, and
// only those.
TEST_F(Attestation, RestartedDaemonAdoptsTheGuestsStillPausedOnly) {
    if (not_ready())
        return;
    launcher_->Launch("waiting-owner", 512, 1, disk_, attestation());
    launcher_->Launch("resumed-owner", 512, 1, disk_, attestation());
    launcher_->Resume("resumed-owner");
    restart_daemon();
    ASSERT_TRUE(
        wait_until([&] { return launcher_->Guests().size() == 2; }, std::chrono::seconds(20)))
        << daemon_->log();
    EXPECT_TRUE(wait_used(false, 2));
    EXPECT_EQ(error_name_of([&] { launcher_->Measurement("resumed-owner"); }), kInvalidArgument);
    const auto [measurement, api_major, api_minor, build, policy] =
        launcher_->Measurement("waiting-owner");
    EXPECT_FALSE(measurement.empty());
    EXPECT_EQ(policy, static_cast<uint32_t>(kSevPolicy));
    launcher_->InjectSecret("waiting-owner", kHeader, kSecret, 0);
    launcher_->Resume("waiting-owner");
    EXPECT_EQ(error_name_of([&] { launcher_->Resume("waiting-owner"); }), kInvalidArgument);
    stop_quietly("waiting-owner");
    stop_quietly("resumed-owner");
}

class AttestationTimeout : public Attestation {
protected:
    std::string extra_config() const override { return "attestation_timeout_s = 2\n"; }
};

TEST_F(AttestationTimeout, GuestStillPausedAfterTheTimeoutIsDestroyedAndItsSlotFreed) {
    if (not_ready())
        return;
    launcher_->Launch("late-owner", 512, 1, disk_, attestation());
    EXPECT_TRUE(wait_used(false, 1));
    const pid_t qemu = host_->domain_pid("late-owner");
    ASSERT_GT(qemu, 0);
    // A resumed guest is left alone by its timer.
    launcher_->Launch("prompt-owner", 512, 1, disk_, attestation());
    launcher_->Resume("prompt-owner");
    // So is one resumed outside sevd: it may have run.
    launcher_->Launch("virsh-owner", 512, 1, disk_, attestation());
    const auto virsh_launched = std::chrono::steady_clock::now();
    const pid_t virsh_qemu = host_->domain_pid("virsh-owner");
    const auto resumed = run_command({"virsh", "-q", "-c", host_->uri(), "resume", "virsh-owner"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_TRUE(wait_until([&] { return process_gone(qemu); }, std::chrono::seconds(20)));
    // Past virsh-owner's own timeout (2 s), with a margin.
    std::this_thread::sleep_until(virsh_launched + std::chrono::seconds(4));
    const auto guests = launcher_->Guests();
    ASSERT_EQ(guests.size(), 2u);
    EXPECT_EQ(std::get<0>(guests[0]), "prompt-owner");
    EXPECT_EQ(std::get<0>(guests[1]), "virsh-owner");
    EXPECT_FALSE(process_gone(virsh_qemu)) << daemon_->log();
    EXPECT_NE(daemon_->log().find("resumed outside sevd"), std::string::npos) << daemon_->log();
    EXPECT_TRUE(wait_used(false, 2));
    // Destroyed and undefined: the name can be launched again.
    launcher_->Launch("late-owner", 512, 1, disk_, {});
    EXPECT_TRUE(wait_used(false, 3));
    stop_quietly("late-owner");
    stop_quietly("prompt-owner");
    stop_quietly("virsh-owner");
}

class AttestationRestartTimeout : public Attestation {
protected:
    std::string extra_config() const override { return "attestation_timeout_s = 6\n"; }
};

// The timer of a guest a restarted daemon adopts runs from the adoption.
TEST_F(AttestationRestartTimeout, AdoptedGuestStillPausedIsExpired) {
    if (not_ready())
        return;
    launcher_->Launch("left-owner", 512, 1, disk_, attestation());
    const pid_t qemu = host_->domain_pid("left-owner");
    ASSERT_GT(qemu, 0);
    restart_daemon();
    ASSERT_TRUE(
        wait_until([&] { return launcher_->Guests().size() == 1; }, std::chrono::seconds(20)))
        << daemon_->log();
    EXPECT_TRUE(wait_until([&] { return process_gone(qemu); }, std::chrono::seconds(20)))
        << daemon_->log();
    EXPECT_TRUE(wait_used(false, 0));
    EXPECT_TRUE(launcher_->Guests().empty());
}

} // namespace
} // namespace sevd::test
