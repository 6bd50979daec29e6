#!/usr/bin/env bash
# Installs what is missing, builds, and hosts the sample event provider,
# printing its events. Extra arguments go to `wmiemu run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/setup.sh"
"$root/tools/scripts/build.sh" "$root/build/release" -DCMAKE_BUILD_TYPE=Release
exec "$root/tools/scripts/run-sample.sh" "$root/build/release" "$@"
