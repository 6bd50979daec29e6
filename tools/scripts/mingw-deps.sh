#!/usr/bin/env bash
# Builds libuv and CMocka for MinGW-w64 (x86_64) from Debian's own source
# packages, into a cache folder the Windows build finds
# (cmake/mingw-w64-x86_64.cmake reads WMIEMU_MINGW_PREFIX, default
# ~/.cache/wmiemu/mingw-x86_64). No third-party source enters the repository:
# `apt-get source` fetches the same versions Debian ships for Linux, so both
# builds use one libuv and one CMocka.
# Usage: tools/scripts/mingw-deps.sh [--force]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${WMIEMU_MINGW_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wmiemu/mingw-x86_64}
toolchain=$root/cmake/mingw-w64-x86_64.cmake
force=${1:-}

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

# The version each Linux package has is the version we build for Windows.
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || apt-cache policy "$1" | awk '/Candidate:/ {print $2}'; }
uv_version=$(version_of libuv1-dev)
cmocka_version=$(version_of libcmocka-dev)
stamp="$prefix/.built-libuv1-$uv_version-cmocka-$cmocka_version"
if [[ -f "$stamp" && "$force" != "--force" ]]; then
  echo "mingw-deps: libuv $uv_version and cmocka $cmocka_version already in $prefix"
  exit 0
fi

# apt-get source needs a deb-src entry for the suites the machine uses.
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "mingw-deps: adding a deb-src entry (/etc/apt/sources.list.d/wmiemu-deb-src.sources)"
  src=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" >> "$src"
    echo >> "$src"
  done
  if [[ ! -s "$src" && -f /etc/apt/sources.list ]]; then
    sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list > "$src"
    $sudo install -m 644 "$src" /etc/apt/sources.list.d/wmiemu-deb-src.list
  else
    $sudo install -m 644 "$src" /etc/apt/sources.list.d/wmiemu-deb-src.sources
  fi
  rm -f "$src"
  $sudo apt-get update -qq
fi
if ! command -v dpkg-source >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "mingw-deps: fetching libuv1 $uv_version and cmocka $cmocka_version sources"
apt-get source -qq "libuv1=$uv_version" "cmocka=$cmocka_version" >/dev/null 2>&1 \
  || apt-get source -qq libuv1 cmocka >/dev/null

build() {
  local name=$1 dir=$2; shift 2
  echo "mingw-deps: building $name for x86_64-w64-mingw32"
  local log="$work/$name.log"
  # Their own warnings are theirs; the log is shown only when a step fails.
  if ! { cmake -S "$dir" -B "$work/build-$name" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
           -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
           -DWMIEMU_MINGW_PREFIX="$prefix" "$@" &&
         cmake --build "$work/build-$name" -j"$(nproc)" &&
         cmake --install "$work/build-$name"; } >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "mingw-deps: building $name failed (log above)" >&2
    exit 1
  fi
}

mkdir -p "$prefix"
build libuv "$(ls -d libuv1-*/)" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF
build cmocka "$(ls -d cmocka-*/)" -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DPICKY_DEVELOPER=OFF
rm -f "$prefix"/.built-*
touch "$stamp"
echo "mingw-deps: done; libuv and cmocka for Windows are in $prefix"
