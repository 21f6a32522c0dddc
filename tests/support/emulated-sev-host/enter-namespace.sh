#!/bin/sh
# Runs inside `unshare --mount --net` (its own mount and network namespaces)
# and becomes the emulated SEV host's libvirtd. Everything mounted here is
# private to that namespace and goes away with its last process; the host's
# /dev, /etc, /var and /run are never written, and the bridges and taps of
# its networks exist only in its network namespace.
#   $1  the host's tree (etc/libvirt, var/{lib,cache,log}/libvirt, run, dev, bin)
#   $2  optional: a DESTDIR install tree, overlaid on /usr so libvirt sees a
#       package's files (a firmware descriptor) exactly where an install puts them
set -eu
tree=$1
destdir=${2:-}

# /dev: the nodes libvirt and QEMU open, a devpts of its own (the host's ptmx
# bound in fails openpty with ENOENT), hugetlbfs, and an empty /dev/kvm: with
# it libvirt keeps its capability cache and accepts type='kvm' domains.
mount -t tmpfs -o mode=755 sevd-dev "$tree/dev"
for node in null zero full random urandom tty; do
  : > "$tree/dev/$node"
  mount --bind "/dev/$node" "$tree/dev/$node"
done
# /dev/net/tun: the taps of guests on a libvirt network.
mkdir "$tree/dev/net"
: > "$tree/dev/net/tun"
mount --bind /dev/net/tun "$tree/dev/net/tun"
mkdir "$tree/dev/pts" "$tree/dev/shm" "$tree/dev/hugepages"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$tree/dev/pts"
ln -s pts/ptmx "$tree/dev/ptmx"
mount -t tmpfs -o mode=1777 sevd-shm "$tree/dev/shm"
mount -t hugetlbfs -o pagesize=2M sevd-hugepages "$tree/dev/hugepages"
: > "$tree/dev/kvm"
chmod 666 "$tree/dev/kvm"
mount --rbind "$tree/dev" /dev

if [ -n "$destdir" ] && [ -d "$destdir/usr" ]; then
  mount -t overlay sevd-usr -o "lowerdir=$destdir/usr:/usr" /usr
fi
if [ -n "$destdir" ] && [ -d "$destdir/etc" ]; then
  mount -t overlay sevd-etc -o "lowerdir=$destdir/etc:/etc" /etc
fi

for dir in etc/libvirt var/lib/libvirt var/cache/libvirt var/log/libvirt run; do
  mount --bind "$tree/$dir" "/$dir"
done

# The fake QEMU first on PATH: libvirt finds its emulator there.
exec env -i PATH="$tree/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME=/root LC_ALL=C \
  /usr/sbin/libvirtd
