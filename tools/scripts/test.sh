#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice:
# under AddressSanitizer+UBSan (all tests) and under ThreadSanitizer
# (the tests labelled "threads"); between the two, builds and tests the
# provider template against an install of the ASan build; last, the
# Windows build hosting provider DLLs under wine (test-windows.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

# What each stage costs, printed as it ends (CI's budget is read from these).
stage_start=$SECONDS
stage() {
  echo "test.sh: $1: $((SECONDS - stage_start)) s"
  stage_start=$SECONDS
}

"$root/tools/scripts/setup.sh"
stage "setup"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

"$root/tools/scripts/build.sh" "$root/build/asan" -DWMIEMU_ASAN=ON -DWMIEMU_WERROR=ON
stage "ASan+UBSan build"
ctest --test-dir "$root/build/asan" --output-on-failure -j2
stage "ASan+UBSan tests"

# The package as a provider developer gets it: wmiemu installed into a
# temporary prefix, the template project copied out of the tree, built
# against that install alone, and its run and explore tests.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$root/build/asan" --prefix "$tmp/prefix" >/dev/null
cp -r "$root/examples/provider-template" "$tmp/template"
cmake -S "$tmp/template" -B "$tmp/template-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/template-build" -j2
ctest --test-dir "$tmp/template-build" --output-on-failure
stage "template against the installed package"

"$root/tools/scripts/build.sh" "$root/build/tsan" -DWMIEMU_TSAN=ON -DWMIEMU_WERROR=ON
stage "TSan build"
ctest --test-dir "$root/build/tsan" --output-on-failure -j2 -L threads
stage "TSan tests"

# The Windows build (MinGW-w64, libuv and CMocka from Debian's sources):
# provider DLLs hosted by wmiemu.exe under wine, against their .so runs.
"$root/tools/scripts/test-windows.sh" "$root/build/asan"
stage "Windows build and provider DLLs under wine"
