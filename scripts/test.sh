#!/usr/bin/env bash
# Quick start #2: installs what is missing, builds, and runs the whole test suite
# (labels unit, integration, bench, fuzz; the `system` label boots systemd and
# has its own command, scripts/system-test.sh). Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --tests
./scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 -j1 -LE system "$@"
