#!/usr/bin/env bash
# A throwaway machine for the system tests: this host's own /lib/systemd/systemd
# booted as PID 1 in new pid, mount, uts, ipc, net and cgroup namespaces, on an
# overlay of / whose upper layer is a tmpfs that only the box's mount namespace
# sees (facts/systemd-box.md). Nothing outside the overlay changes: /tmp, /run
# and /dev are the box's own tmpfs, /sys and /proc/sys are read-only (systemd
# then skips sysctl and udevd), units that touch the kernel, the clock, the
# network or the host's data are masked, and the box's cgroups live in a fresh
# child cgroup of the caller's own in every hierarchy, removed on stop.
#
#   box.sh start STATE [--install DEB] [--put SRC DEST]...
#       boots a box, records it in the new directory STATE and waits until the
#       boot settled; --install runs `dpkg -i DEB` in the box's root before
#       systemd starts (an image with sevd installed: its units are enabled,
#       not started, exactly as on a host's next boot); --put copies a file
#       into the box's root first. On any failure the box is stopped again.
#   box.sh exec STATE CMD...   runs CMD inside (every namespace, the box's root)
#   box.sh stop STATE          SIGKILLs the box's PID 1 (the kernel then kills
#                              every process of its pid namespace), removes its
#                              cgroups and STATE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# Host units that would touch the kernel, the clock, the network, devices or
# the host's data, or that only slow the boot down.
masked_units=(
  systemd-modules-load.service systemd-timesyncd.service systemd-udevd.service
  systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service
  systemd-networkd.service systemd-networkd-wait-online.service systemd-resolved.service
  systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
  systemd-firstboot.service systemd-pstore.service systemd-random-seed.service
  systemd-machine-id-commit.service systemd-sysctl.service systemd-remount-fs.service
  sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount
  networking.service ifup@.service NetworkManager.service wpa_supplicant.service ssh.service
  cron.service rsyslog.service postgresql.service prometheus.service
  prometheus-node-exporter.service libvirt-guests.service
  getty@.service serial-getty@.service console-getty.service getty-static.service
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
  e2scrub_reap.service fstrim.timer logrotate.timer man-db.timer systemd-tmpfiles-clean.timer
)

die() { echo "box.sh: $*" >&2; exit 1; }

box_pid() { cat "$1/pid"; }

# One child cgroup per v1 hierarchy, below the caller's own cgroup there.
make_cgroups() {
  local state=$1 name=$2 line ctrls path dir child
  : >"$state/cgroups"
  : >"$state/hierarchies"
  while IFS= read -r line; do
    ctrls=$(cut -d: -f2 <<<"$line")
    path=$(cut -d: -f3- <<<"$line")
    if [[ -z "$ctrls" ]]; then
      # The v2 hierarchy of a hybrid host: systemd learns that a unit's
      # cgroup emptied from its cgroup.events (v1 has no such notice inside
      # a cgroup namespace), so the box is hybrid too where the host is.
      [[ -f /sys/fs/cgroup/unified/cgroup.procs ]] || continue
      dir=/sys/fs/cgroup/unified
      ctrls=cgroup2
    else
      dir=/sys/fs/cgroup/${ctrls#name=}
    fi
    [[ -d "$dir" ]] || die "no cgroup hierarchy mounted at $dir (for $ctrls)"
    child="${dir}${path%/}/$name"
    mkdir "$child"
    echo "$child" >>"$state/cgroups"
    echo "$(basename "$dir") $ctrls" >>"$state/hierarchies"
    if [[ "$ctrls" == cpuset ]]; then
      cat "$(dirname "$child")/cpuset.cpus" >"$child/cpuset.cpus"
      cat "$(dirname "$child")/cpuset.mems" >"$child/cpuset.mems"
    fi
  done </proc/self/cgroup
}

remove_cgroups() {
  local state=$1 c i
  [[ -f "$state/cgroups" ]] || return 0
  while IFS= read -r c; do
    [[ -d "$c" ]] || continue
    for i in $(seq 100); do
      # Deepest first; a cgroup whose last process is still exiting is busy.
      find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d "$c" ]] || break
      sleep 0.1
    done
    [[ ! -d "$c" ]] || echo "box.sh: could not remove cgroup $c" >&2
  done <"$state/cgroups"
}

cmd_stop() {
  local state=$1 pid i
  [[ -d "$state" ]] || return 0
  if [[ -f "$state/pid" ]]; then
    pid=$(box_pid "$state")
    kill -9 "$pid" 2>/dev/null || true
    for i in $(seq 100); do
      [[ -d /proc/$pid ]] || break
      sleep 0.1
    done
  fi
  if [[ -f "$state/launcher" ]]; then
    kill -9 "$(cat "$state/launcher")" 2>/dev/null || true
  fi
  remove_cgroups "$state"
  rm -rf "$state"
}

cmd_exec() {
  local state=$1
  shift
  nsenter -t "$(box_pid "$state")" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

cmd_start() {
  local state=$1
  shift
  local install="" puts=()
  while (($#)); do
    case $1 in
      --install) install=$(realpath "$2"); shift 2 ;;
      --put) puts+=("$(realpath "$2")" "$3"); shift 3 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ $(id -u) == 0 ]] || die "needs root"
  [[ ! -e "$state" ]] || die "$state exists"
  mkdir -p "$state/mnt"
  state=$(realpath "$state")
  trap 'cmd_stop "$state"' EXIT
  local name
  name=sevd-box-$(basename "$state")-$$
  make_cgroups "$state" "$name"
  printf '%s\n' "${masked_units[@]}" >"$state/masked"
  printf '%s\n' "${puts[@]+"${puts[@]}"}" >"$state/puts"
  echo "$install" >"$state/install"

  # The launcher joins the child cgroups, then unshares: the new cgroup
  # namespace's root is that child, so every cgroup the box makes is below it.
  setsid bash -c '
    while IFS= read -r c; do echo $$ >"$c/cgroup.procs"; done <"$1/cgroups"
    exec unshare --pid --fork --mount --uts --ipc --net --cgroup --propagation private \
      --kill-child "$2/box_init.sh" "$1"
  ' box-launcher "$state" "$here" </dev/null >"$state/console.log" 2>&1 &
  echo $! >"$state/launcher"

  # PID 1 of the box as the host sees it: the launcher's only child.
  local i pid=""
  for i in $(seq 100); do
    pid=$(cat "/proc/$(cat "$state/launcher")/task/"*/children 2>/dev/null | tr -d ' ') || true
    [[ -n "$pid" ]] && break
    sleep 0.1
  done
  [[ -n "$pid" ]] || die "the box did not start: $(cat "$state/console.log")"
  echo "$pid" >"$state/pid"

  # Settled: running or degraded (a failed unit is a test's business).
  local s=""
  for i in $(seq 600); do
    [[ -d /proc/$pid ]] || die "the box's PID 1 exited: $(tail -30 "$state/console.log")"
    if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */systemd ]]; then
      s=$(cmd_exec "$state" systemctl is-system-running 2>/dev/null) || true
      [[ "$s" == running || "$s" == degraded ]] && break
    fi
    sleep 0.2
  done
  [[ "$s" == running || "$s" == degraded ]] || die "boot did not settle (state '$s'): $(tail -30 "$state/console.log")"
  trap - EXIT
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  exec) shift; cmd_exec "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: box.sh start|exec|stop STATE ..." ;;
esac
