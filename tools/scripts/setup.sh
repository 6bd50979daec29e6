#!/usr/bin/env bash
# Installs the Debian packages wmiemu builds with, only those missing.
# Usage: tools/scripts/setup.sh [--fuzz]
set -euo pipefail

packages=(cmake make gcc g++ pkg-config libuv1-dev libcmocka-dev wine64-tools libwine-dev
          gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64)
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
