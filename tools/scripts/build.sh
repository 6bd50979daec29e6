#!/usr/bin/env bash
# Configures and builds one flavour of the tree.
# Usage: tools/scripts/build.sh DIR [cmake -D options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$1; shift
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" -- --no-print-directory
