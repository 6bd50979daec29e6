#!/usr/bin/env bash
# The Windows package from the outside: installs WIN_BUILD into a temporary
# prefix, checks what a Windows developer gets there, and builds and tests
# examples/provider-template against it with MinGW-w64, its test run by
# wmiemu.exe under wine, as on a windows-latest runner
# (examples/provider-template/.github/workflows/windows.yml).
# Usage: tools/scripts/windows-package-test.sh WIN_BUILD
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
win_build=${1:?usage: windows-package-test.sh WIN_BUILD}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$win_build" --prefix "$prefix" >/dev/null
missing=0
for f in bin/wmiemu.exe bin/libwmiemu.dll lib/libwmiemu.dll.a include/wmiemu/common.h include/wmiemu/host.h \
         lib/cmake/wmiemu/wmiemuConfig.cmake lib/cmake/wmiemu/wmiemuTargets.cmake lib/cmake/wmiemu/wmiemuProvider.cmake; do
  [[ -e $prefix/$f ]] || { echo "windows-package-test: $f is not in the prefix"; missing=1; }
done
# wmiemu.exe runs from the prefix alone: the DLLs it needs are beside it.
WINEPATH= wine "$prefix/bin/wmiemu.exe" --help >"$tmp/help" 2>&1 || { cat "$tmp/help"; missing=1; }

# The toolchain file confines find_package to the MinGW roots: the package
# is named by its folder.
cmake -S "$root/examples/provider-template" -B "$tmp/template" \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" -Dwmiemu_DIR="$prefix/lib/cmake/wmiemu" >"$tmp/log" 2>&1 &&
cmake --build "$tmp/template" >>"$tmp/log" 2>&1 &&
[[ -e $tmp/template/template_tick.dll ]] &&
TEMPLATE_TICK_INTERVAL_MS=20 ctest --test-dir "$tmp/template" --output-on-failure >>"$tmp/log" 2>&1 || {
  cat "$tmp/log"
  echo "windows-package-test: the provider template did not build or pass against the Windows package"
  exit 1
}
grep -E 'tests passed' "$tmp/log" | sed 's/^/windows-package-test: template_tick.dll: /'
exit $missing
