#!/bin/sh
# Re-records qemu-7.2-probe.json: the emulated SEV host runs once in record
# mode, where the fake QEMU passes libvirt's capability probe through to this
# machine's real qemu-system-x86_64 (TCG) and keeps every (command, reply).
# Run as root from the source tree after building: BUILD defaults to ./build.
#   tests/support/fake-qemu/record-probe.sh [BUILD]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
out="$here/qemu-7.2-probe.json"
SEVD_RECORD_PROBE_TO="$out.new" \
  "$build/tests/integration/emulated_host/emulated_host_tests" \
  --gtest_also_run_disabled_tests --gtest_filter='EmulatedSevHost.DISABLED_RecordProbeReplies'
mv "$out.new" "$out"
echo "recorded $(grep -c '"execute"' "$out") replies of $(qemu-system-x86_64 --version | head -1) into $out"
