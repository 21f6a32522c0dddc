#!/usr/bin/env bash
# Runs one system test's command, or skips (exit 77) saying why when this
# machine cannot boot a box (box.sh: systemd as PID 1 on an overlay root with
# a tmpfs upper layer): the tests need root (namespaces, mounts, cgroups),
# systemd installed, and cgroup v1 hierarchies to nest the box's cgroups in.
set -euo pipefail
if [[ $(id -u) != 0 ]]; then
  echo "SKIP: system tests need root (they boot systemd in namespaces)"
  exit 77
fi
if [[ ! -x /lib/systemd/systemd ]]; then
  echo "SKIP: /lib/systemd/systemd is not installed"
  exit 77
fi
if [[ ! -d /sys/fs/cgroup/systemd ]]; then
  echo "SKIP: no cgroup v1 name=systemd hierarchy (the box boots systemd in legacy cgroup mode)"
  exit 77
fi
exec "$@"
