#!/usr/bin/env bash
# The Windows stage of the test script. Builds libwmiemu.dll, wmiemu.exe,
# provider DLLs and the test suite with MinGW-w64 (libuv and CMocka from
# mingw-deps.sh), then under wine:
#   1. hosts each provider three ways, its .so with the Linux build, its DLL
#      with wmiemu.exe and its DLL with the Linux command (which hands it to
#      wmiemu.exe), and compares the events and counters (time stamps aside);
#   2. runs broken providers as DLLs and compares the rule ids caught with
#      those of their .so;
#   3. runs tools_wine (the Linux command's hand-off, for real) and the
#      Windows build's CTest suite, and checks that every test of the Linux
#      build runs there or is listed in tests/windows-not-applicable.txt;
#   4. installs the Windows package and builds and tests the provider
#      template against it (tools/scripts/windows-package-test.sh).
# Usage: tools/scripts/test-windows.sh LINUX_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
linux_build=${1:?usage: test-windows.sh LINUX_BUILD_DIR}
linux_build=$(cd "$linux_build" && pwd)
win_build=${WMIEMU_WIN_BUILD:-$root/build/win}
started=$(date +%s)

"$root/tools/scripts/mingw-deps.sh"
prefix=${WMIEMU_MINGW_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/wmiemu/mingw-x86_64}

# No check-module under wine after each provider's link: tools_wine checks a
# DLL, and a wine start per module would cost more than the rest.
cmake -S "$root" -B "$win_build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWMIEMU_PROVIDER_CHECK=OFF >/dev/null
providers=(sample_tick sample_cpp win32_timer)
broken=(bad_args sink_status qi unregistered)
win_targets=(wmiemu_cli "${providers[@]}" "${broken[@]/#/broken_}" wmiemu_windows_tests
             fuzz_wql_corpus fuzz_mof_corpus consumer_sample)
cmake --build "$win_build" -j2 --target "${win_targets[@]}" -- --no-print-directory | grep -E 'error|warning' || true
cmake --build "$linux_build" -j2 --target wmiemu_cli "${providers[@]}" "${broken[@]/#/broken_}" \
  test_tools_wine_handoff -- --no-print-directory >/dev/null
built=$(date +%s)

# wine finds libwmiemu.dll, libuv and the MinGW runtime beside wmiemu.exe
# (cmake/wmiemuWindows.cmake copies them there); one wineserver for the whole
# stage saves its start-up per command.
export WINEDEBUG=-all
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wmiemu/wineprefix}
export WMIEMU_WINE_EXE=$win_build/bin/wmiemu.exe
# A provider DLL's own imports (libstdc++) are looked for on PATH, not
# beside wmiemu.exe (the Linux command's hand-off does the same).
export WINEPATH=$win_build/bin
# Ticks far enough apart that none comes between the last event counted
# and the cancel, under wine as natively: the counters compare.
export SAMPLE_TICK_INTERVAL_MS=400 WIN32_TIMER_INTERVAL_MS=400
wineserver -p 2>/dev/null || true
trap 'wineserver -k 2>/dev/null || true' EXIT
# A new prefix is made on the first start, with messages of wine's own.
wineboot --init >/dev/null 2>&1 || true

tmp=$(mktemp -d)
failed=0
# What differs between two runs by nature: the time an event was made.
# And wine's own lines, which the .so run has not.
normalise() { sed -E 's/"(TIME_CREATED|Ticks|Time|When)":"?[0-9.]+"?,?//g; /^summary: ran /d; /^wine: /d' "$1"; }

# 1. provider  mof  query  count  [more run options]
cases=(
  "sample_tick|provider/sample/sample.mof|SELECT * FROM SampleTick|3"
  "sample_cpp|provider/sample/sample_cpp.mof|SELECT * FROM SampleCppEvent|1"
  "win32_timer|provider/win32_timer/win32_timer.mof|SELECT * FROM Win32TimerEvent|3"
  # An intrinsic event: a class compiled into the running host while the DLL is hosted.
  "sample_tick|provider/sample/sample.mof|SELECT * FROM __ClassCreationEvent|2|--mof-at 300 $root/examples/wmi-core-events/late_class.mof"
)
n=0
for c in "${cases[@]}"; do
  IFS='|' read -r name mof query count more <<<"$c"
  n=$((n + 1))
  # shellcheck disable=SC2086 # more holds options, split on purpose
  set -- run --mof "$root/$mof" --count "$count" --duration 20 --query "$query" $more
  "$linux_build/bin/wmiemu" "$@" --provider "$linux_build/provider/$name.so" >"$tmp/$n.so" 2>&1 || true
  wine "$win_build/bin/wmiemu.exe" "$@" --provider "$win_build/provider/$name.dll" 2>&1 | tr -d '\r' >"$tmp/$n.exe" || true
  "$linux_build/bin/wmiemu" "$@" --provider "$win_build/provider/$name.dll" >"$tmp/$n.dll" 2>&1 || true
  if diff <(normalise "$tmp/$n.so") <(normalise "$tmp/$n.exe") >"$tmp/$n.diff" &&
     diff <(normalise "$tmp/$n.so") <(normalise "$tmp/$n.dll") >>"$tmp/$n.diff"; then
    echo "test-windows: $name.dll ($query) = $name.so, under wmiemu.exe and from Linux:" \
         "$(grep -c '^{' "$tmp/$n.dll") event(s), $(grep 'contract violation' "$tmp/$n.dll" | sed 's/summary: //')"
  else
    echo "test-windows: $name.dll and $name.so differ ($query):"
    cat "$tmp/$n.diff"
    failed=$((failed + 1))
  fi
done

# 1b. The sample consumer provider's DLL beside the tick provider's under
# wmiemu.exe: its file (FileName relative to the working directory) gets
# one line per event its binding's summary says it took.
mkdir "$tmp/conprov"
(cd "$tmp/conprov" && wine "$win_build/bin/wmiemu.exe" run --mof "$root/provider/sample/sample.mof" \
   "$root/provider/consumer_sample/consumer_sample.mof" --provider "$win_build/provider/sample_tick.dll" \
   "$win_build/provider/consumer_sample.dll" --query "SELECT * FROM SampleTick" --count 3 --duration 20 2>&1 |
   tr -d '\r' >"$tmp/conprov.out") || true
took=$(grep -o 'SampleFileConsumer took [0-9]*' "$tmp/conprov.out" | grep -o '[0-9]*$' || true)
lines=$(wc -l <"$tmp/conprov/sample_ticks.log" 2>/dev/null || echo 0)
if [[ -n $took && $took -ge 1 && $took == "$lines" ]]; then
  echo "test-windows: consumer_sample.dll took $took event(s) under wmiemu.exe, $lines line(s) in its file"
else
  echo "test-windows: consumer_sample.dll: took [${took}], ${lines} line(s) in its file:"
  tail -5 "$tmp/conprov.out"
  failed=$((failed + 1))
fi

# 2. The broken providers: the same rule ids from the DLL as from the .so.
rules() { grep -o 'violation: rule [a-z0-9-]*' "$1" | sort -u | sed 's/violation: rule //' | tr '\n' ' '; }
for b in "${broken[@]}"; do
  set -- run --mof "$root/provider/broken/broken_$b.mof" --query "SELECT * FROM BrokenEvent" --count 3 --duration 5
  "$linux_build/bin/wmiemu" "$@" --provider "$linux_build/provider/broken_$b.so" >"$tmp/b.so" 2>&1 || true
  "$linux_build/bin/wmiemu" "$@" --provider "$win_build/provider/broken_$b.dll" >"$tmp/b.dll" 2>&1 || true
  so=$(rules "$tmp/b.so") dll=$(rules "$tmp/b.dll")
  if [[ -n $so && $so == "$dll" ]]; then
    echo "test-windows: broken_$b.dll caught by the rule(s) of its .so: $dll"
  else
    echo "test-windows: broken_$b: .so caught [$so], .dll [$dll]"
    tail -5 "$tmp/b.dll"
    failed=$((failed + 1))
  fi
done
echo "test-windows: providers hosted as DLLs differing from their .so runs: $failed"

# 3. The hand-off for real, and the Windows suite under wine.
if ! WMIEMU_WIN_BUILD=$win_build ctest --test-dir "$linux_build" -R '^tools_wine$' --output-on-failure >"$tmp/wine.out" 2>&1; then
  cat "$tmp/wine.out"
  failed=$((failed + 1))
fi
grep -q 'tools_wine .*Passed' "$tmp/wine.out" && echo "test-windows: tools_wine passed"
suite_started=$(date +%s)
ctest --test-dir "$win_build" -j2 --timeout 300 >"$tmp/suite.out" 2>&1 || true
passed=$(grep -c ' Passed ' "$tmp/suite.out" || true)
suite_failed=$(grep -cE '\*\*\*(Failed|Timeout|Exception)|Not Run' "$tmp/suite.out" || true)
grep -E '\*\*\*(Failed|Timeout|Exception)|Not Run' "$tmp/suite.out" || true
coverage=$("$root/tools/scripts/windows-tests.sh" coverage "$root" "$linux_build" "$win_build") || failed=$((failed + 1))
na=$(grep -v '^#' "$root/tests/windows-not-applicable.txt" | grep -vc '^$')
echo "test-windows: the Windows suite under wine: $passed passed, $suite_failed failed," \
     "$na entries of tests/windows-not-applicable.txt ($(( $(date +%s) - suite_started )) s)"
echo "$coverage"
failed=$((failed + suite_failed))

# 4. The Windows package, and a provider project built and tested against it.
if [[ -x $root/tools/scripts/windows-package-test.sh ]]; then
  "$root/tools/scripts/windows-package-test.sh" "$win_build" || failed=$((failed + 1))
fi

rm -rf "$tmp"
echo "test-windows: $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s" \
     "(building $(( built - started )) s); failures: $failed"
exit $((failed != 0))
