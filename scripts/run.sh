#!/usr/bin/env bash
# Quick start #1: installs what is missing, builds, and runs the main job.
# Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./build/cli/sevd probe "$@"
