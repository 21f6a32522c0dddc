#!/usr/bin/env bash
# Quick start #1: installs what is missing, builds, and runs the main job: the
# sevd daemon on the D-Bus system bus, showing the probe report and how to
# inspect it with busctl. Run as root on Debian 12.
#
# With a system bus running, sevd's files (bus policy, units, interface XML)
# are installed with `cmake --install` and the bus reloads its policy. Without
# one (containers, CI machines), this script starts a system bus itself from
# dbus's own system.conf plus sevd's policy file, and stops it (by PID) on exit.
# Extra arguments go to `sevd serve` (e.g. --root tests/fixtures/rome-7742).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh

build=${BUILD_DIR:-build}
socket=/run/dbus/system_bus_socket
bus_pid=""
daemon_pid=""
work=$(mktemp -d)
cleanup() {
  set +e # every step runs, whatever the one before returned
  if [[ -n "$daemon_pid" ]]; then
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
  fi
  if [[ -n "$bus_pid" ]]; then
    kill "$bus_pid" 2>/dev/null
    rm -f "$socket" # the bus this script started leaves its socket file behind
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if busctl --system status >/dev/null 2>&1; then
  echo "== system bus is running: installing sevd's bus policy, units and interfaces"
  cmake --install "$build" >/dev/null
  busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
else
  echo "== no system bus running: starting one with sevd's policy (stopped on exit)"
  mkdir -p /run/dbus
  cat >"$work/system.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/system.conf</include>
  <include>$PWD/units/org.sevd.Host1.conf</include>
</busconfig>
CONF
  bus_pid=$(dbus-daemon --config-file="$work/system.conf" --fork --nopidfile --print-pid=1)
  for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.05; done
fi

echo "== starting: sevd serve --bus system $*"
"$build/cli/sevd" serve --bus system "$@" &
daemon_pid=$!
for _ in $(seq 200); do
  busctl --system status org.sevd.Host1 >/dev/null 2>&1 && break
  kill -0 "$daemon_pid" 2>/dev/null || { echo "sevd serve exited; see its messages above" >&2; exit 2; }
  sleep 0.05
done

echo
echo "== sevdctl status (the daemon's view over D-Bus)"
"$build/cli/sevdctl" status || true
cat <<HELP

== sevd is serving org.sevd.Host1 on the system bus (PID $daemon_pid). Inspect it with:
  busctl introspect org.sevd.Host1 /org/sevd/Host1
  busctl get-property org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Ready Models SevSlots SevEsSlots
  busctl call org.sevd.Host1 /org/sevd/Host1 org.sevd.Host1 Describe
  busctl monitor org.sevd.Host1           # PropertiesChanged as the host changes
  $build/cli/sevdctl status --json
Press Ctrl-C to stop the daemon$([[ -n "$bus_pid" ]] && echo " and the bus this script started").
HELP
wait "$daemon_pid"
