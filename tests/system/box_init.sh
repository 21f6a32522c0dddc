#!/usr/bin/env bash
# PID 1 of a box (box.sh start): builds the box's root in its own mount
# namespace -- an overlay of / with a tmpfs upper layer, so no file outside
# the overlay changes -- then pivots into it and execs the host's systemd.
set -euo pipefail
state=$1
mnt=$state/mnt

# Nothing mounted here propagates to the host.
mount --make-rprivate /
mount -t tmpfs -o mode=0700 sevd-box "$mnt"
mkdir "$mnt/upper" "$mnt/work" "$mnt/root"
mount -t overlay sevd-box -o "lowerdir=/,upperdir=$mnt/upper,workdir=$mnt/work" "$mnt/root"
root=$mnt/root

# /proc of the new pid namespace, its sysctls read-only.
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
for p in sys sysrq-trigger; do
  [[ -e "$root/proc/$p" ]] || continue
  mount --bind "$root/proc/$p" "$root/proc/$p"
  mount -o remount,bind,ro "$root/proc/$p"
done
# A read-only sysfs; the cgroup hierarchies (v1, and v2 on a hybrid host)
# mounted again from inside the new cgroup namespace (their root is the box's
# child cgroup).
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid,nodev,noexec cgroup "$root/sys/fs/cgroup"
while read -r dir ctrls; do
  mkdir "$root/sys/fs/cgroup/$dir"
  if [[ "$ctrls" == cgroup2 ]]; then
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup/$dir"
  elif [[ "$ctrls" == name=* ]]; then
    mount -t cgroup -o "none,$ctrls,nosuid,nodev,noexec" cgroup "$root/sys/fs/cgroup/$dir"
  else
    mount -t cgroup -o "$ctrls,nosuid,nodev,noexec" cgroup "$root/sys/fs/cgroup/$dir"
  fi
done <"$state/hierarchies"
mount -o remount,ro,nosuid,nodev,noexec "$root/sys/fs/cgroup"

# A /dev of its own with the harmless character devices only.
mount -t tmpfs -o mode=0755,nosuid dev "$root/dev"
for n in null zero full random urandom tty; do
  touch "$root/dev/$n"
  mount --bind "/dev/$n" "$root/dev/$n"
done
touch "$root/dev/console"
mount --bind /dev/null "$root/dev/console"
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
mount -t tmpfs -o mode=0755,nosuid,nodev run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"

# Units that would reach the kernel, clock, network or the host's data.
while read -r unit; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done <"$state/masked"
# A container image's guard against starting services from maintainer
# scripts (exit 101) does not belong on the booted host the box stands for.
rm -f "$root/usr/sbin/policy-rc.d"
# libvirt's autostarted networks (a bridge and dnsmasq) only slow the boot.
rm -f "$root"/etc/libvirt/qemu/networks/autostart/*.xml
hostname sevd-box

# Files a test asked for, then an image with sevd installed.
mapfile -t puts <"$state/puts"
for ((i = 0; i + 1 < ${#puts[@]}; i += 2)); do
  mkdir -p "$root$(dirname "${puts[i + 1]}")"
  cp "${puts[i]}" "$root${puts[i + 1]}"
done
install=$(cat "$state/install")
if [[ -n "$install" ]]; then
  cp "$install" "$root/tmp/"
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    dpkg -i "/tmp/$(basename "$install")"
fi

cd "$root"
mkdir .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
exec env -i container=sevd-box PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --unit=multi-user.target
