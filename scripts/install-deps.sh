#!/usr/bin/env bash
# Installs what sevd needs to build, run and test on Debian 12 (as root).
# Only missing packages are installed; a second run is a no-op.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config clang-format
  libvirt-dev libsdbus-c++-dev libsdbus-c++-bin libspdlog-dev libcgroup-dev libudev-dev
  libsystemd-dev libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev
  libpugixml-dev
  # run: probe, bus, libvirt
  cpuid dbus libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86
  ovmf polkitd systemd udev
)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(
    clang libclang-rt-14-dev libfuzzer-14-dev   # fuzzing and sanitizers
    llvm                                        # llvm-symbolizer: fuzz crash stacks with lines
    libxml2-utils                               # virt-xml-validate's xmllint
    util-linux procps psmisc                    # setpriv, taskset, ps
    hyperfine                                   # whole-process benchmarks
    debhelper dpkg-dev lintian                  # scripts/package.sh
    libvirt-daemon-system python3               # system tests: libvirtd.service in the box
    qemu-utils                                  # qemu-img: qcow2 chains, data files in launch tests
    prometheus                                  # promtool: checks the textfile and alert rules
    python3-dbus                                # the GetAll/GetId figure of a python-dbus client
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
