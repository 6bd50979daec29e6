#!/usr/bin/env bash
# The Windows stage of the test script: builds libwmiemu.dll, wmiemu.exe and
# provider DLLs with MinGW-w64 (libuv and CMocka from mingw-deps.sh), then
# hosts each DLL with wmiemu.exe under wine and the same provider's .so with
# the Linux build, and compares the events: the same content (time stamps
# and tick counts aside) and the same counters.
# Usage: tools/scripts/test-windows.sh LINUX_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
linux_build=${1:?usage: test-windows.sh LINUX_BUILD_DIR}
win_build=$root/build/win

"$root/tools/scripts/mingw-deps.sh"
prefix=${WMIEMU_MINGW_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wmiemu/mingw-x86_64}

cmake -S "$root" -B "$win_build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
providers=(sample_tick sample_cpp win32_timer)
cmake --build "$win_build" -j2 --target wmiemu_cli "${providers[@]}" -- --no-print-directory | grep -E 'error|warning' || true
cmake --build "$linux_build" -j2 --target wmiemu_cli "${providers[@]}" -- --no-print-directory >/dev/null

# wine finds the MinGW runtime and our libraries on WINEPATH; one wineserver
# for the whole stage saves its start-up per command.
export WINEDEBUG=-all
export WINEPATH="$win_build/bin;$prefix/bin;$(dirname "$(x86_64-w64-mingw32-gcc-posix -print-libgcc-file-name)");/usr/x86_64-w64-mingw32/lib"
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wmiemu/wineprefix}
wineserver -p 2>/dev/null || true
trap 'wineserver -k 2>/dev/null || true' EXIT
# A new prefix is made on the first start, with messages of wine's own.
wineboot --init >/dev/null 2>&1 || true

# provider  mof  query  count
cases=(
  "sample_tick provider/sample/sample.mof SampleTick 3"
  "sample_cpp provider/sample/sample_cpp.mof SampleCppEvent 1"
  "win32_timer provider/win32_timer/win32_timer.mof Win32TimerEvent 3"
)
tmp=$(mktemp -d)
failed=0
# What differs between two runs by nature: the time an event was made.
# And wine's own lines, which the .so run has not.
normalise() { sed -E 's/"(TIME_CREATED|Ticks|Time|When)":"?[0-9.]+"?,?//g; /^summary: ran /d; /^wine: /d' "$1"; }
for c in "${cases[@]}"; do
  read -r name mof class count <<<"$c"
  query="SELECT * FROM $class"
  "$linux_build/bin/wmiemu" run --mof "$root/$mof" --provider "$linux_build/provider/$name.so" \
    --count "$count" --duration 20 --query "$query" >"$tmp/$name.so.out" 2>&1 || true
  wine "$win_build/bin/wmiemu.exe" run --mof "$root/$mof" --provider "$win_build/provider/$name.dll" \
    --count "$count" --duration 20 --query "$query" 2>&1 | tr -d '\r' >"$tmp/$name.dll.out" || true
  if diff <(normalise "$tmp/$name.so.out") <(normalise "$tmp/$name.dll.out") >"$tmp/$name.diff"; then
    echo "test-windows: $name.dll under wine = $name.so: $(grep -c '^{' "$tmp/$name.dll.out") event(s), $(grep 'contract violation' "$tmp/$name.dll.out" | sed 's/summary: //')"
  else
    echo "test-windows: $name.dll and $name.so differ:"
    cat "$tmp/$name.diff"
    failed=$((failed + 1))
  fi
done
rm -rf "$tmp"
echo "test-windows: providers hosted as DLLs differing from their .so runs: $failed"
exit $((failed != 0))
