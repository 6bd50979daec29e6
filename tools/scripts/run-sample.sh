#!/usr/bin/env bash
# Hosts the sample extrinsic event provider under `wmiemu run` and prints its
# events (JSON Lines on stdout, summary on stderr).
# Usage: tools/scripts/run-sample.sh BUILD_DIR [extra `wmiemu run` args...]
# Default: the first 10 ticks with an even sequence number. Extra arguments
# are appended (a later --query/--count/--format wins).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run-sample.sh BUILD_DIR [args...]}
shift
exec "$build/bin/wmiemu" run \
  --mof "$root/provider/sample/sample.mof" \
  --provider "$build/provider/sample_tick.so" \
  --query "SELECT * FROM SampleTick WHERE Even = TRUE" \
  --count 10 \
  "$@"
