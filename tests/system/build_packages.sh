#!/usr/bin/env bash
# The system tests' packages, from this build directory: the version of the
# tree and a later one (SEVD_UPGRADE_VERSION) for the upgrade test.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
"$src/scripts/package.sh"
SEVD_DEB_VERSION=$SEVD_UPGRADE_VERSION "$src/scripts/package.sh"
