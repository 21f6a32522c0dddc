#!/usr/bin/env bash
# Builds dist/sevd_VERSION_ARCH.deb from a build directory (debian/ holds the
# packaging; debian/rules installs the build with `cmake --install`, it never
# compiles). The build directory must be configured with prefix /usr (the
# default): the helpers' directory and the units' ExecStart= are compiled in.
#
#   BUILD_DIR         build directory (default: build; configured and built,
#                     without tests, when it does not exist yet)
#   DIST_DIR          where the .deb goes (default: dist)
#   SEVD_DEB_VERSION  package version (default: the CMake project version)
#   SEVD_LINTIAN      0 skips the lintian check (default: run it, fail on errors)
#
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build_dir=$(realpath -m "${BUILD_DIR:-build}")
dist_dir=$(realpath -m "${DIST_DIR:-dist}")

cached() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"; }

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  ./scripts/install-deps.sh
  BUILD_DIR=$build_dir ./scripts/build.sh -DSEVD_BUILD_TESTS=OFF
fi
prefix=$(cached CMAKE_INSTALL_PREFIX)
if [[ "$prefix" != /usr ]]; then
  echo "package.sh: $build_dir is configured with prefix $prefix; a package installs to /usr." >&2
  echo "  fix: cmake -S . -B $build_dir -DCMAKE_INSTALL_PREFIX=/usr && cmake --build $build_dir" >&2
  exit 2
fi
# Up to date already after scripts/test.sh (CI): then this only checks.
cmake --build "$build_dir" -j"$(nproc)" --target sevd sevdctl

version=${SEVD_DEB_VERSION:-$(cached CMAKE_PROJECT_VERSION)}
stage="$build_dir/deb"
rm -rf "$stage"
mkdir -p "$stage/src" "$dist_dir"
cp -a debian "$stage/src/"
changelog="$stage/src/debian/changelog"
if [[ "$(dpkg-parsechangelog -l "$changelog" -S Version)" != "$version" ]]; then
  # A version of its own (a developer's or a test's build) gets a changelog entry.
  {
    echo "sevd ($version) unstable; urgency=medium"
    echo
    echo "  * Built from $(git -C "$src" describe --always --dirty 2>/dev/null || echo 'a source tree')."
    echo
    echo " -- $(dpkg-parsechangelog -l "$changelog" -S Maintainer)  $(date -R)"
    echo
    cat "$changelog"
  } > "$changelog.new"
  mv "$changelog.new" "$changelog"
fi

arch=$(dpkg --print-architecture)
deb="$dist_dir/sevd_${version}_${arch}.deb"
rm -f "$deb"
(
  cd "$stage/src"
  export SEVD_BUILD_DIR=$build_dir SEVD_DIST_DIR=$dist_dir DEB_RULES_REQUIRES_ROOT=no
  debian/rules binary
) > "$stage/build.log" 2>&1 || {
  cat "$stage/build.log" >&2
  echo "package.sh: debian/rules binary failed (log above, also in $stage/build.log)" >&2
  exit 1
}
[[ -f "$deb" ]] || { echo "package.sh: $deb was not written" >&2; exit 1; }

if [[ "${SEVD_LINTIAN:-1}" != 0 ]]; then
  # Errors fail the build; warnings and notes are printed for the maintainer.
  lintian --fail-on error "$deb" >&2
fi
echo "$deb"
