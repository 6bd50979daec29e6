#!/usr/bin/env bash
# Long `wmiemu explore` of race_correct.dll under wine, in chunks, to catch
# the intermittent stalls of issue 16: each chunk runs with a time limit,
# and a chunk that overruns it has the backtrace of every thread of its
# wmiemu.exe written (winedbg, before it is killed), so that a stall leaves
# its stacks behind instead of only a lost run.
#   tools/scripts/explore-wine-soak.sh WIN_BUILD [CHUNKS [SCHEDULES [FIRST_SEED [LIMIT_S]]]]
# Defaults: 5 chunks of 2000 schedules from seed 1, 300 s each; chunk k
# starts at seed FIRST_SEED + k * SCHEDULES. One line per chunk on stdout
# (seeds, exit status, seconds, the summary line); the stacks of a stalled
# chunk go to $WMIEMU_SOAK_DIR (default: a new directory under /tmp),
# named after its first seed. Exits 1 if a chunk failed or stalled.
# Set WINEPREFIX as for the Windows stage, to a prefix of your own that no
# other wmiemu.exe uses meanwhile: the stalled process is found there by name.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
win=$(cd "${1:?usage: explore-wine-soak.sh WIN_BUILD [CHUNKS [SCHEDULES [FIRST_SEED [LIMIT_S]]]]}" && pwd)
chunks=${2:-5}
n=${3:-2000}
first=${4:-1}
limit=${5:-300}
dir=${WMIEMU_SOAK_DIR:-$(mktemp -d /tmp/explore-wine-soak.XXXXXX)}
mkdir -p "$dir"
export WINEDEBUG=${WINEDEBUG:--all} WINEPATH=$win/bin

# The wine pid (hex) of the newest wmiemu.exe, from winedbg's process list.
wine_pid() {
    winedbg --command "info proc" 2>/dev/null | tr -d '\r' | awk '/wmiemu\.exe/ { pid = $1 } END { print pid }'
}

# Every thread's stack of wine process $1 (hex), from `bt all`.
stacks() {
    winedbg --command "bt all" 2>/dev/null | tr -d '\r' |
        awk -v p="$1" 'function id(x) { sub(/^0+/, "", x); return tolower(x) }
                       /^Backtracing for thread/ { keep = (id($7) == id(p)) } keep'
}

wineserver -p 2>/dev/null || true
bad=0
total0=$(date +%s)
for ((k = 0; k < chunks; k++)); do
    seed=$((first + k * n))
    out=$dir/chunk-$seed.out
    t0=$(date +%s)
    wine "$win/bin/wmiemu.exe" explore --mof "$root/provider/race_correct/race_correct.mof" \
        --provider "$win/provider/race_correct.dll" --query "SELECT * FROM RaceCorrectEvent" \
        --iterations "$n" --seed "$seed" --quiet >"$out" 2>&1 &
    job=$!
    while kill -0 "$job" 2>/dev/null && (($(date +%s) - t0 < limit)); do
        sleep 1
    done
    if kill -0 "$job" 2>/dev/null; then
        pid=$(wine_pid)
        { echo "chunk from seed $seed: still running after $limit s; wine pid $pid"
          winedbg --command "info thread" 2>/dev/null | tr -d '\r'
          [ -n "$pid" ] && stacks "$pid"; } >"$dir/stall-$seed.txt" 2>&1
        if kill -0 "$job" 2>/dev/null; then
            kill "$job" 2>/dev/null
            wait "$job" 2>/dev/null
            rc=stalled
        else
            wait "$job"
            rc="$? (overran $limit s)"
        fi
    else
        wait "$job"
        rc=$?
    fi
    secs=$(($(date +%s) - t0))
    summary=$(tr -d '\r' <"$out" | grep -o 'provider:RaceCorrectProvider.*' | tail -1)
    echo "seeds $seed..$((seed + n - 1)): rc $rc, $secs s: ${summary:-see $out}"
    [ "$rc" = 0 ] && [[ "$summary" == *"no failure"* ]] || bad=1
done
echo "total $(($(date +%s) - total0)) s; outputs in $dir"
exit $bad
