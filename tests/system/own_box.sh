#!/usr/bin/env bash
# System tests that need a boot of their own (one ctest each):
#   own_box.sh WORKDIR bad_config DEB
#       an image with sevd and a bad configuration drop-in boots: sevd-tune
#       fails naming file:line in the journal, and the boot goes on
#   own_box.sh WORKDIR package_lifecycle DEB UPGRADE_DEB
#       on a booted box: install -> upgrade (an edited conffile kept) ->
#       remove -> purge, with the units and the bus name followed throughout
# The box is stopped and its cgroups removed however the test ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
workdir=$1
name=$2
shift 2
state=$workdir/box-$name
"$here/box.sh" stop "$state" # a box left by a killed earlier run
trap '"$here/box.sh" stop "$state"' EXIT

# shellcheck source=tests/system/lib.sh
source "$here/lib.sh"
name_owned() { box busctl --system status org.sevd.Host1 >/dev/null 2>&1; }

bad_config() {
  local deb=$1 bad
  bad=$(mktemp)
  printf '[memory]\nreserved_host_memory_mb = 4GB\n' >"$bad"
  "$here/box.sh" start "$state" --install "$deb" --put "$bad" /etc/sevd/sevd.conf.d/90-bad.conf
  rm -f "$bad"
  local i
  for ((i = 0; i < 150; i++)); do
    [[ "$(prop sevd-tune.service ActiveState)" == failed ]] && break
    sleep 0.2
  done
  expect_eq "$(prop sevd-tune.service ActiveState)" failed \
    "sevd-tune with a bad configuration: $(box systemctl status --no-pager sevd-tune.service 2>&1)"
  box journalctl -u sevd-tune.service -o cat --no-pager | grep -qF "/etc/sevd/sevd.conf.d/90-bad.conf:2" ||
    fail "sevd-tune's journal does not name the file and line: $(box journalctl -u sevd-tune.service -o cat --no-pager)"
  # The boot went on: the target reached, libvirtd up, only sevd's units failed.
  expect_eq "$(box systemctl is-system-running || true)" degraded "the system state"
  expect_eq "$(prop multi-user.target ActiveState)" active "multi-user.target"
  expect_eq "$(prop libvirtd.service ActiveState)" active "libvirtd"
  local failed
  failed=$(box systemctl list-units --failed --plain --no-legend | awk '{print $1}' | grep -v '^sevd' || true)
  expect_eq "$failed" "" "failed units other than sevd's"
}

package_lifecycle() {
  local deb=$1 upgrade=$2
  "$here/box.sh" start "$state"
  box mkdir -p /tmp/debs
  cp "$deb" "$upgrade" "/proc/$(cat "$state/pid")/root/tmp/debs/"
  local v1 v2
  v1=$(dpkg-deb -f "$deb" Version)
  v2=$(dpkg-deb -f "$upgrade" Version)

  # Install on a running system: group, units enabled and started, bus name.
  box env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/debs/$(basename "$deb")"
  expect_eq "$(box dpkg-query -W -f '${Version}' sevd)" "$v1" "installed version"
  box getent group sevd >/dev/null || fail "group sevd was not created"
  expect_eq "$(box systemctl is-enabled sevd.service sevd-tune.service | sort -u)" enabled "enablement after install"
  expect_eq "$(prop sevd-tune.service ActiveState)" active "sevd-tune after install"
  expect_eq "$(prop sevd.service ActiveState)" active "sevd after install"
  name_owned || fail "org.sevd.Host1 is not on the bus after install"
  # dbus-daemon read the policy again once the group existed: a member of
  # group sevd gets through to Tuning1 (polkit's shipped rule then admits it).
  box useradd --no-create-home --groups sevd sevd-member
  box setpriv --reuid=sevd-member --regid=sevd-member --init-groups \
    busctl --system call org.sevd.Host1 /org/sevd/Tuning1 org.sevd.Tuning1 Apply >/dev/null ||
    fail "a member of group sevd cannot call Tuning1.Apply after install"
  box dpkg-query -W -f '${Conffiles}\n' sevd | grep -q '^ /etc/sevd/sevd.conf ' ||
    fail "/etc/sevd/sevd.conf is not a conffile"

  # Upgrade keeps an operator's edit of the conffile, and restarts sevd.
  box sed -i 's/^reserved_host_memory_mb = .*/reserved_host_memory_mb = 2048/' /etc/sevd/sevd.conf
  local pid
  pid=$(prop sevd.service MainPID)
  box env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "/tmp/debs/$(basename "$upgrade")"
  expect_eq "$(box dpkg-query -W -f '${Version}' sevd)" "$v2" "version after upgrade"
  box grep -q '^reserved_host_memory_mb = 2048$' /etc/sevd/sevd.conf || fail "the upgrade lost the conffile edit"
  expect_eq "$(prop sevd.service ActiveState)" active "sevd after upgrade"
  [[ "$(prop sevd.service MainPID)" != "$pid" ]] || fail "the upgrade did not restart sevd"

  # Remove: stopped, disabled, bus name gone; the configuration stays.
  box env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q sevd
  expect_eq "$(prop sevd.service ActiveState)" inactive "sevd after remove"
  expect_eq "$(prop sevd-tune.service ActiveState)" inactive "sevd-tune after remove"
  [[ -z "$(box find /etc/systemd/system -name 'sevd*')" ]] ||
    fail "enablement links left after remove: $(box find /etc/systemd/system -name 'sevd*')"
  name_owned && fail "org.sevd.Host1 still on the bus after remove"
  box test -f /etc/sevd/sevd.conf || fail "remove deleted the configuration"

  # Purge deletes the configuration.
  box env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q sevd
  box test ! -e /etc/sevd || fail "/etc/sevd is still there after purge"
  expect_eq "$(box dpkg-query -W -f '${Status}' sevd 2>/dev/null || true)" "" "dpkg's record after purge"
}

"$name" "$@"
