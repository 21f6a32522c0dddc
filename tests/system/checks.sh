#!/usr/bin/env bash
# The system tests' checks, each one ctest (tests/system/CMakeLists.txt):
#   checks.sh STATE NAME   runs check NAME against the booted box in STATE
#                          (box.sh start ... --install sevd.deb)
# Expected values are derived from the rules (DESIGN.md), never read back from
# sevd itself: the limit from /proc/meminfo and the shipped reserve, the
# exposure bound from the issue, the errors from the bus and polkit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=$1
name=$2

# shellcheck source=tests/system/lib.sh
source "$here/lib.sh"
# Polls CMD (inside the box) until it succeeds, for up to $1 seconds.
wait_for() {
  local secs=$1 i
  shift
  for ((i = 0; i < secs * 5; i++)); do
    box "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "timed out after ${secs}s waiting for: $*"
}
busctl_host() { box busctl --system "$@"; }
# The daemon reads libvirt in the background once it started: waits until
# Host1.Describe shows that reading (the box's libvirtd connected).
wait_for_libvirt_reading() {
  wait_for 60 sh -c "busctl --system call org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Describe |
    grep -q '\\\\\"connected\\\\\": *true'"
}
as_nobody() { box setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
mib=$((1024 * 1024))
shipped_reserve_mib=4096 # units/sevd.conf, [memory] reserved_host_memory_mb
page=4096

# machine.slice's limit for a reserve, by DESIGN.md's rule: MemTotal - reserve,
# rounded down to a page as the kernel stores it.
expected_limit() {
  local kb
  kb=$(box awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  echo $(((kb * 1024 - $1 * mib) / page * page))
}
slice_limits_are() {
  expect_eq "$(prop machine.slice MemoryMax)" "$1" "systemd's MemoryMax of machine.slice"
  expect_eq "$(box cat /sys/fs/cgroup/memory/machine.slice/memory.limit_in_bytes)" "$1" \
    "the cgroup's memory.limit_in_bytes"
}
set_reserve() { # a drop-in and `systemctl reload sevd`
  box sh -c "mkdir -p /etc/sevd/sevd.conf.d && printf '[memory]\nreserved_host_memory_mb = $1\n' \
    >/etc/sevd/sevd.conf.d/50-systest.conf"
  box systemctl reload sevd.service
}
clear_reserve() {
  box rm -f /etc/sevd/sevd.conf.d/50-systest.conf
  box systemctl reload sevd.service
}
reserved_property() {
  busctl_host get-property org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 ReservedHostMemory | awk '{print $2}'
}
main_pid() { prop sevd.service MainPID; }
# The journal of sevd.service's current invocation, as JSON lines.
journal_json() {
  box journalctl -o json --no-pager _SYSTEMD_INVOCATION_ID="$(prop sevd.service InvocationID)"
}

check_boot_order() {
  expect_eq "$(box systemctl is-enabled sevd-tune.service sevd.service | sort -u)" enabled "enablement"
  expect_eq "$(prop sevd-tune.service Result)" success "sevd-tune's result"
  expect_eq "$(prop sevd-tune.service ActiveState)" active "sevd-tune"
  expect_eq "$(prop libvirtd.service ActiveState)" active "libvirtd"
  local tune_done libvirtd_started
  tune_done=$(prop sevd-tune.service ActiveEnterTimestampMonotonic)
  libvirtd_started=$(prop libvirtd.service InactiveExitTimestampMonotonic)
  ((tune_done > 0 && tune_done <= libvirtd_started)) ||
    fail "sevd-tune finished at ${tune_done}us, after libvirtd started at ${libvirtd_started}us"
  # No ordering cycle in this machine's boot: systemd would break it by
  # deleting a job, sometimes sevd-tune's, and the limit would be missing.
  local cycles
  cycles=$(box systemd-analyze verify --man=no multi-user.target 2>&1 | grep -i 'ordering cycle' || true)
  expect_eq "$cycles" "" "ordering cycles in the boot"
}

check_memory_max() {
  slice_limits_are "$(expected_limit "$shipped_reserve_mib")"
}

check_hardening_active() {
  expect_eq "$(prop sevd.service ActiveState)/$(prop sevd.service SubState)" active/running "sevd.service"
  # The shipped unit, as shipped: no drop-in changes its sandbox.
  expect_eq "$(prop sevd.service FragmentPath)" /lib/systemd/system/sevd.service "unit file"
  expect_eq "$(prop sevd.service DropInPaths)" "" "drop-ins"
  expect_eq "$(prop sevd.service ProtectSystem)" strict "ProtectSystem"
  expect_eq "$(prop sevd.service NoNewPrivileges)" yes "NoNewPrivileges"
  # Block-device images (/dev/mapper, LVM) must stay reachable: no private
  # /dev, but the device cgroup admits only SEV, KVM and block devices.
  expect_eq "$(prop sevd.service PrivateDevices)" no "PrivateDevices"
  expect_eq "$(prop sevd.service DevicePolicy)" closed "DevicePolicy"
  # char-rtc comes with ProtectClock=yes.
  expect_eq "$(prop sevd.service DeviceAllow | LC_ALL=C sort | tr '\n' ' ')" \
    "/dev/kvm r /dev/sev r block-* rw char-rtc r " "DeviceAllow"
  # What the kernel enforces on the running daemon.
  local status
  status=$(box cat "/proc/$(main_pid)/status")
  expect_eq "$(awk '/^CapEff:/ {print $2}' <<<"$status")" 0000000000000000 "effective capabilities"
  expect_eq "$(awk '/^CapBnd:/ {print $2}' <<<"$status")" 0000000000000000 "bounding set"
  expect_eq "$(awk '/^NoNewPrivs:/ {print $2}' <<<"$status")" 1 "no_new_privs"
  expect_eq "$(awk '/^Seccomp:/ {print $2}' <<<"$status")" 2 "seccomp filter mode"
  # ProtectSystem=strict: the daemon's /usr is read-only.
  grep -q ' /usr ro,\| / ro,' <(box cat "/proc/$(main_pid)/mountinfo" | awk '{print " "$5" "$6}') ||
    fail "neither / nor /usr is read-only in sevd's mount namespace"
}

check_host1_unprivileged() {
  local ready out rc=0
  ready=$(as_nobody busctl --system get-property org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Ready)
  expect_eq "$ready" "b false" "Host1.Ready read by nobody (this host has no SEV)"
  out=$(as_nobody sevdctl status) || rc=$?
  expect_eq "$rc" 1 "sevdctl status as nobody (exit 1: nothing launchable here)"
  grep -q FAIL <<<"$out" || fail "sevdctl status names no failed check: $out"
  # The privileged interfaces stay closed to it (the bus policy).
  out=$(as_nobody busctl --system call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply 2>&1) &&
    fail "nobody called Tuning1.Apply: $out"
  grep -q "Access denied" <<<"$out" || fail "nobody's Apply: $out"
}

check_describe_equals_probe() {
  local describe probe
  wait_for_libvirt_reading
  describe=$(busctl_host --json=short call org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Describe |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0])')
  # As a service, like the daemon (same limits, e.g. memlock); exit 1: nothing launchable.
  probe=$(box systemd-run --quiet --wait --pipe sevd probe --json) || true
  python3 - "$describe" "$probe" <<'EOF'
import json, sys
d, p = (json.loads(s) for s in sys.argv[1:])
if d != p:
    for k in sorted(set(d) | set(p)):
        if d.get(k) != p.get(k):
            print(f"{k}: Describe {d.get(k)!r} != probe {p.get(k)!r}", file=sys.stderr)
    sys.exit(1)
if not d["libvirt"]["connected"]:
    sys.exit("the daemon's helper did not reach the box's libvirtd: " + json.dumps(d["libvirt"]))
EOF
}

check_dbus_activation() {
  box systemctl stop sevd.service
  expect_eq "$(prop sevd.service ActiveState)" inactive "sevd after stop"
  # Any client's call starts it (org.sevd.Host1.service: SystemdService=sevd.service).
  local ready
  ready=$(as_nobody busctl --system --timeout=60 get-property org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Ready)
  expect_eq "$ready" "b false" "Ready through activation"
  expect_eq "$(prop sevd.service ActiveState)" active "sevd after activation"
  box journalctl -u dbus.service --no-pager | grep -q "Activating via systemd: service name='org.sevd.Host1'" ||
    fail "dbus-daemon did not activate sevd through systemd"
}

check_restart_after_kill() {
  wait_for 60 systemctl is-active -q sevd.service
  local before restarts
  before=$(main_pid)
  restarts=$(prop sevd.service NRestarts)
  box systemctl kill -s KILL sevd.service
  wait_for 60 sh -c "[ \"\$(systemctl show -p NRestarts --value sevd.service)\" = $((restarts + 1)) ] &&
    systemctl is-active -q sevd.service"
  [[ "$(main_pid)" != "$before" ]] || fail "MainPID unchanged after SIGKILL"
  # The new daemon rebuilt its ledger from libvirt: its helper is connected and
  # the guest list (running encrypted guests, none on this SEV-less host) reads.
  wait_for 60 sh -c "journalctl -o cat --no-pager _SYSTEMD_INVOCATION_ID=\$(systemctl show -p InvocationID \
    --value sevd.service) | grep -q 'serving org.sevd.Host1'"
  local guests
  guests=$(busctl_host get-property org.sevd.Host1 /org/sevd/Launcher1 org.sevd.Launcher1 Guests)
  expect_eq "$guests" "a(ssst) 0" "Launcher1.Guests after the restart"
  wait_for_libvirt_reading
}

check_reload() {
  expect_eq "$(reserved_property)" $((shipped_reserve_mib * mib)) "ReservedHostMemory as shipped"
  local pid
  pid=$(main_pid)
  set_reserve 3000
  expect_eq "$(reserved_property)" $((3000 * mib)) "ReservedHostMemory after reload"
  expect_eq "$(main_pid)" "$pid" "MainPID (a reload is not a restart)"
  clear_reserve
  expect_eq "$(reserved_property)" $((shipped_reserve_mib * mib)) "ReservedHostMemory after the drop-in went"
}

check_journal_priority() {
  # A fresh invocation, then one message of each level caused here: info (a
  # reload), error (a reload of a bad file), warning (a caller polkit refuses,
  # see check_polkit).
  box systemctl start polkit.service
  box systemctl restart sevd.service
  box sh -c "mkdir -p /etc/sevd/sevd.conf.d && printf '[memory]\nreserved_host_memory_mb = lots\n' \
    >/etc/sevd/sevd.conf.d/50-systest.conf"
  box systemctl reload sevd.service
  clear_reserve
  as_nobody_in_sevd busctl --system call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply >/dev/null 2>&1 || true
  journal_json | python3 -c '
import json, sys
entries = [json.loads(line) for line in sys.stdin]
def find(prefix, priority, count):
    hits = [e for e in entries if str(e.get("MESSAGE", "")).startswith(prefix)]
    if len(hits) != count:
        sys.exit(f"{len(hits)} journal entries start with {prefix!r}, want {count}: {hits}")
    for e in hits:
        if e.get("PRIORITY") != priority:
            got = e.get("PRIORITY")
            sys.exit(f"{prefix!r} logged with PRIORITY={got}, want {priority}")
find("serving org.sevd.Host1", "6", 1)
find("reload: /etc/sevd/sevd.conf.d/50-systest.conf:2", "3", 1)
find("reloaded /etc/sevd/sevd.conf", "6", 1)
find("denied org.sevd.tune", "4", 1)
'
}

# A caller the bus lets through (sevd among its process groups) whom polkit
# refuses: its user is not in group sevd.
as_nobody_in_sevd() { box setpriv --reuid=nobody --regid=nogroup --groups="$(box getent group sevd | cut -d: -f3)" "$@"; }

check_polkit() {
  box sh -c 'getent passwd sevd-systest >/dev/null || useradd --no-create-home --groups sevd sevd-systest'
  # The daemon asks polkit when polkit is on the bus (it is D-Bus activated).
  box systemctl start polkit.service
  local out rc=0
  out=$(as_nobody_in_sevd dbus-send --system --print-reply --dest=org.sevd.Host1 /org/sevd/Tuning1 \
    org.sevd.Tuning1.Apply 2>&1) || rc=$?
  ((rc != 0)) || fail "polkit admitted nobody: $out"
  grep -q "org.freedesktop.DBus.Error.AccessDenied: not authorized for org.sevd.tune by polkit" <<<"$out" ||
    fail "nobody's Apply failed otherwise: $out"
  box journalctl -u sevd.service -o cat --no-pager | grep -q "denied org.sevd.tune" ||
    fail "the refusal is not in sevd's journal"
  out=$(box setpriv --reuid=sevd-systest --regid=sevd-systest --init-groups \
    busctl --system call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply 2>&1) ||
    fail "a member of group sevd was refused: $out"
  expect_eq "$out" "t $(expected_limit "$shipped_reserve_mib")" "Apply's reply to a member of group sevd"
}

check_tuning_apply() {
  set_reserve 3072
  local out
  out=$(busctl_host call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply)
  expect_eq "$out" "t $(expected_limit 3072)" "Apply's reply"
  slice_limits_are "$(expected_limit 3072)"
  # Through systemd (SetUnitProperties, runtime): the drop-in systemd itself wrote.
  box grep -rqs "MemoryMax=$(expected_limit 3072)" /run/systemd/system.control/machine.slice.d ||
    fail "no systemd drop-in for machine.slice holds the new MemoryMax"
  clear_reserve
  busctl_host call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply >/dev/null
  slice_limits_are "$(expected_limit "$shipped_reserve_mib")"
}

check_libvirt_refusal() {
  # A daemon that believes a recorded SEV host (--root) but launches in the
  # box's real libvirtd, which has no SEV here and says so.
  local fixture=$here/../fixtures/rome-7742
  box sh -c "mkdir -p /run/systemd/system/sevd.service.d && printf '[Service]\nExecStart=\nExecStart=/usr/bin/sevd serve --bus system --root $fixture --libvirt-uri qemu:///system\n' \
    >/run/systemd/system/sevd.service.d/50-systest.conf"
  box systemctl daemon-reload
  box systemctl restart sevd.service
  box mkdir -p /var/lib/libvirt/images
  box truncate -s 64M /var/lib/libvirt/images/systest.img
  local out reply rc=0
  out=$(box sevdctl launch systest --memory 256 --vcpus 1 --disk /var/lib/libvirt/images/systest.img 2>&1) || rc=$?
  reply=$(box dbus-send --system --print-reply --dest=org.sevd.Host1 /org/sevd/Launcher1 \
    org.sevd.Launcher1.Launch string:systest2 uint64:256 uint32:1 \
    string:/var/lib/libvirt/images/systest.img dict:string:string: 2>&1) || true
  box rm -rf /run/systemd/system/sevd.service.d /var/lib/libvirt/images/systest.img
  box systemctl daemon-reload
  box systemctl restart sevd.service
  expect_eq "$rc" 1 "sevdctl launch's exit code (refused)"
  # libvirt's own words (no KVM here), under sevd's named error.
  grep -q "libvirt define+start failed at 'qemu:///system'" <<<"$out" || fail "sevdctl: $out"
  grep -q "^Error org.sevd.Error.Libvirt: .*unsupported configuration" <<<"$reply" ||
    fail "not libvirt's refusal as org.sevd.Error.Libvirt: $reply"
}

# The [export] files under the shipped unit: written in the two default
# folders (ReadWritePaths=-...: present at start), refused anywhere else.
check_exports() {
  local prom=/var/lib/prometheus/node-exporter nfd=/etc/kubernetes/node-feature-discovery/features.d
  box mkdir -p "$prom" "$nfd" /var/lib/sevd-systest
  box sh -c "mkdir -p /etc/sevd/sevd.conf.d && printf '[export]\nprometheus_textfile = $prom/sevd.prom\nnfd_features_dir = $nfd\n' \
    >/etc/sevd/sevd.conf.d/60-export.conf"
  box systemctl restart sevd.service
  wait_for 30 test -s "$prom/sevd.prom" -a -s "$nfd/sevd" -a -s "$nfd/sevd-capacity"
  box sh -c "promtool check metrics <$prom/sevd.prom" || fail "promtool rejects $prom/sevd.prom"
  box grep -q '^sevd_ready 0$' "$prom/sevd.prom" || fail "sevd_ready is not 0 on this SEV-less host"
  box grep -q '^# +expiry-time=' "$nfd/sevd" || fail "$nfd/sevd has no expiry"
  box grep -q '^# +no-label$' "$nfd/sevd-capacity" || fail "$nfd/sevd-capacity has no '# +no-label'"
  # No dot-file is left behind by the atomic rename.
  expect_eq "$(box find "$prom" "$nfd" -name '.*' -type f | wc -l)" 0 "leftover dot-files"
  # A folder the unit does not open stays read-only for sevd: a warning, no file.
  box sh -c "printf '[export]\nprometheus_textfile = /var/lib/sevd-systest/sevd.prom\n' \
    >/etc/sevd/sevd.conf.d/60-export.conf"
  box systemctl reload sevd.service
  wait_for 30 sh -c "journalctl -u sevd.service -o cat --no-pager | grep -q 'export: .*/var/lib/sevd-systest/.*'"
  box test ! -e /var/lib/sevd-systest/sevd.prom || fail "sevd wrote outside its ReadWritePaths"
  box rm -f /etc/sevd/sevd.conf.d/60-export.conf
  box systemctl reload sevd.service
}

check_security_exposure() {
  local out level
  out=$(box systemd-analyze security --no-pager sevd.service)
  level=$(sed -n 's/.*Overall exposure level for sevd.service: \([0-9.]*\).*/\1/p' <<<"$out")
  [[ -n "$level" ]] || fail "no exposure level in: $out"
  python3 -c "import sys; sys.exit(0 if float('$level') <= 2.5 else 1)" ||
    fail "exposure $level > 2.5"
  echo "exposure $level"
}

"check_$name"
