#!/usr/bin/env bash
# `wmiemu explore` on the race_correct provider, its .so with the Linux
# build and its DLL with the Windows build's wmiemu.exe under wine (imports
# patched onto the scheduler), in one run: schedules/s and steps/s of each,
# and the ratio Linux / wine. Each figure is the whole command's wall time,
# wine's start-up included (printed apart, measured with --version).
#   tools/bench/explore_wine.sh LINUX_BUILD WIN_BUILD [SCHEDULES [STRATEGY]]
# (default 2000 schedules, random). Set WINEPREFIX as for the Windows stage.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
linux=$(cd "${1:?usage: explore_wine.sh LINUX_BUILD WIN_BUILD [SCHEDULES [STRATEGY]]}" && pwd)
win=$(cd "${2:?usage: explore_wine.sh LINUX_BUILD WIN_BUILD [SCHEDULES [STRATEGY]]}" && pwd)
n=${3:-2000}
strategy=${4:-random}
export WINEDEBUG=-all WINEPATH=$win/bin
args=(explore --mof "$root/provider/race_correct/race_correct.mof" --query "SELECT * FROM RaceCorrectEvent"
      --iterations "$n" --strategy "$strategy" --seed 1)

now() { date +%s.%N; }
# Runs the command; prints "seconds schedules steps" from its summary line.
measure() {
  local t0 t1 out
  t0=$(now)
  out=$("$@" 2>&1 | tr -d '\r') || { echo "explore_wine: failed: $*" >&2; echo "$out" >&2; exit 1; }
  t1=$(now)
  # "provider:RaceCorrectProvider: N schedules, S steps, no failure"
  sed -nE 's/.*: ([0-9]+) schedules, ([0-9]+) steps, no failure.*/\1 \2/p' <<<"$out" |
    awk -v t="$(echo "$t1 - $t0" | bc -l)" '{ printf "%.3f %s %s\n", t, $1, $2 }'
}

wineserver -p 2>/dev/null || true
wine "$win/bin/wmiemu.exe" --version >/dev/null 2>&1 || true   # a warm wineserver for both
w0=$(now); wine "$win/bin/wmiemu.exe" --version >/dev/null 2>&1 || true; w1=$(now)
read -r ls lsched lsteps < <(measure "$linux/bin/wmiemu" "${args[@]}" --provider "$linux/provider/race_correct.so")
read -r ws wsched wsteps < <(measure wine "$win/bin/wmiemu.exe" "${args[@]}" --provider "$win/provider/race_correct.dll")
awk -v n="$n" -v s="$strategy" -v ls="$ls" -v lsc="$lsched" -v lst="$lsteps" -v ws="$ws" -v wsc="$wsched" \
    -v wst="$wsteps" -v start="$(echo "$w1 - $w0" | bc -l)" 'BEGIN {
  printf "explore race_correct, %d schedules (%s strategy, seed 1):\n", n, s
  printf "  %-22s %8s %10s %12s %12s\n", "", "seconds", "steps", "schedules/s", "steps/s"
  printf "  %-22s %8.2f %10d %12.1f %12.0f\n", "Linux (.so)", ls, lst, lsc / ls, lst / ls
  printf "  %-22s %8.2f %10d %12.1f %12.0f\n", "wine (.dll, patched)", ws, wst, wsc / ws, wst / ws
  printf "  ratio Linux / wine: %.2fx schedules/s, %.2fx steps/s (wine start-up: %.2f s of the wine run)\n",
         (lsc / ls) / (wsc / ws), (lst / ls) / (wst / ws), start
}'
