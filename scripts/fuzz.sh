#!/usr/bin/env bash
# Fuzzing (issue 6): builds the libFuzzer targets with clang into
# ${BUILD_DIR:-build-fuzz} (-DSEVD_FUZZ=ON: -fsanitize=fuzzer,address,undefined)
# and runs each for ${FUZZ_SECONDS:-20} s on a temporary copy of its seed corpus
# (fixture files) and regressions (ctest label fuzz). A crash fails the run; its
# input is kept in BUILD_DIR/fuzz-artifacts/<target>/ (see tests/fuzz/README.md).
# Extra arguments go to ctest, e.g. `scripts/fuzz.sh -R fuzz_config`.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-20}
jobs=$(nproc)

cmake -S . -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSEVD_FUZZ=ON -DSEVD_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build_dir" --target sevd_fuzzers -j"$jobs"
cd "$build_dir"
# One fuzzer per core: each target is single-threaded.
status=0
ctest -L fuzz --output-on-failure -j"$jobs" "$@" || status=$?
# How much each target fuzzed (libFuzzer's final stats; ctest hides a passing
# test's output). A target that crashed has no line here; its output is above.
awk '/^[0-9]+\/[0-9]+ Test: /{target=$3}
     /^Done [0-9]+ runs in/{printf "%-20s %9d runs in %s s\n", target, $2, $5}' \
  Testing/Temporary/LastTest.log || true
exit $status
