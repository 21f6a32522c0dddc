#!/usr/bin/env bash
# The `system` ctest label: packages this build directory (scripts/package.sh,
# the same .deb an operator installs) and tests it under this machine's own
# systemd as PID 1, in boxes (tests/system/box.sh: an overlay root with a tmpfs
# upper layer, own namespaces and cgroups; nothing outside the overlay
# changes). Needs root. Builds first when the build directory is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
./scripts/install-deps.sh --tests
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  ./scripts/build.sh
fi
ctest --test-dir "$build_dir" -L system --output-on-failure --timeout 600 -j1 "$@"
