#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice:
# under AddressSanitizer+UBSan (all tests) and under ThreadSanitizer
# (the tests labelled "threads").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/scripts/setup.sh"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

"$root/tools/scripts/build.sh" "$root/build/asan" -DWMIEMU_ASAN=ON -DWMIEMU_WERROR=ON
ctest --test-dir "$root/build/asan" --output-on-failure -j2

"$root/tools/scripts/build.sh" "$root/build/tsan" -DWMIEMU_TSAN=ON -DWMIEMU_WERROR=ON
ctest --test-dir "$root/build/tsan" --output-on-failure -j2 -L threads
