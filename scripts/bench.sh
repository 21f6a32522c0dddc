#!/usr/bin/env bash
# Runs every benchmark (ctest label `bench`) and prints each figure the issues
# name in one table: value, the reference measured in the same run, the ratio,
# the target. Run as root on Debian 12 (installs what is missing, builds).
# The machine should be otherwise idle; D-Bus round trips are pinned to one CPU
# by the benchmarks themselves, and every figure is a median over repeats.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --tests
./scripts/build.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
(cd "${BUILD_DIR:-build}" && ctest -L bench -j1 -V --timeout 900) >"$log" 2>&1 || {
  grep -E "Failed|Error" "$log" >&2 || true
  echo "some benchmark did not run to the end; full log: ctest -L bench -V" >&2
}
{
  echo "figure|value|reference (same run)|ratio|target|"
  sed -E "s/\x1b\[[0-9;]*m//g" "$log" | sed -nE 's/^[0-9]+: \[figure\] //p' | sed -E 's/ \| /|/g'
} | column -t -s '|'
