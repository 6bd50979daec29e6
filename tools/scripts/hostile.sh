#!/usr/bin/env bash
# Runs wmiemu on every hostile case of the hardening work (broken providers
# that hang, flood, crash, outlive their release or lie about arguments, and
# hostile input files) and prints, for each, the command, the exit status,
# the wall time and the last lines printed. Nothing here may hang or end by
# a signal: each case runs under `timeout` as a safety net and a case that
# needs it, or exits by a signal, is marked FAIL, as is an exit status other
# than the one expected.
#
# usage: tools/scripts/hostile.sh BUILD_DIR [CASE...]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: hostile.sh BUILD_DIR [CASE...]}
build=$(cd "$build" && pwd)
shift
only=" $* "
wmiemu=$build/bin/wmiemu
prov=$build/provider
broken=$root/provider/broken
work=$(mktemp -d /tmp/wmiemu-hostile-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0

# case NAME EXPECTED_EXIT COMMAND...: COMMAND runs in $work, stdin closed.
case_() {
  local name=$1 expect=$2 start end rc verdict
  shift 2
  if [[ "$only" != "  " && "$only" != *" $name "* ]]; then return; fi
  start=$(date +%s.%N)
  (cd "$work" && timeout -s KILL 120 "$@" </dev/null >"$work/out" 2>&1)
  rc=$?
  end=$(date +%s.%N)
  verdict=ok
  if ((rc == 137)); then verdict="FAIL (killed by the 120 s safety net)";
  elif ((rc > 128)); then verdict="FAIL (signal $((rc - 128)))";
  elif ((rc != expect)); then verdict="FAIL (expected exit $expect)"; fi
  [[ $verdict == ok ]] || failures=$((failures + 1))
  local shown="$*"
  shown=${shown//$build\/bin\//}
  shown=${shown//$build\//\$B/}
  shown=${shown//$root\//}
  printf '### %s\n$ %s\nexit %d, %.2f s wall: %s\n' "$name" "$shown" "$rc" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$verdict"
  tail -n 6 "$work/out" | cut -c1-200 | sed 's/^/    /'
  echo
}

# run_case NAME EXPECTED_EXIT BROKEN_NAME QUERY [wmiemu run options...]
run_case() {
  local name=$1 expect=$2 b=$3 query=$4
  shift 4
  if [[ ! -e "$prov/broken_$b.so" ]]; then
    echo "### $name: provider broken_$b is not built"; echo; failures=$((failures + 1)); return
  fi
  case_ "$name" "$expect" "$wmiemu" run --mof "$broken/broken_$b.mof" --provider "$prov/broken_$b.so" \
    --query "$query" "$@"
}

explore_case() {
  local name=$1 expect=$2 b=$3 query=$4
  shift 4
  [[ -e "$prov/broken_$b.so" ]] || return
  case_ "$name" "$expect" "$wmiemu" explore --mof "$broken/broken_$b.mof" --provider "$prov/broken_$b.so" \
    --query "$query" "$@"
}

# ---- hostile input files ------------------------------------------------------
gen() { awk -v n="$2" "BEGIN { $3 }" >"$work/$1"; }
gen nested.mof 10000 'printf "class A { object o; };\ninstance of A { o = "; for (i = 0; i < n; i++) printf "instance of A { o = "; printf "NULL"; for (i = 0; i < n; i++) printf "; }"; print "; };"'
gen inst10k.mof 10000 'print "class K { [key] uint32 id; string v; };"; for (i = 0; i < n; i++) printf "instance of K { id = %d; v = \"x\"; };\n", i'
gen inst20k.mof 20000 'print "class K { [key] uint32 id; string v; };"; for (i = 0; i < n; i++) printf "instance of K { id = %d; v = \"x\"; };\n", i'
gen inst40k.mof 40000 'print "class K { [key] uint32 id; string v; };"; for (i = 0; i < n; i++) printf "instance of K { id = %d; v = \"x\"; };\n", i'
gen quals100k.mof 100000 'printf "[Q0"; for (i = 1; i < n; i++) printf ",Q%d", i; print "] class Q { uint32 a; };"'
gen deep.mof 5000 'print "class C0 { uint32 a; };"; for (i = 1; i < n; i++) printf "class C%d : C%d { uint32 b%d; };\n", i, i - 1, i'
printf '#pragma namespace("root/")\nclass A { uint32 a; };\n' >"$work/ns_slash.mof"
printf '\xff\xfe#\x00p\x00r\x00a\x00g\x00m\x00a\x00 \x00x\x00 \x00\x00\xd8\n\x00' >"$work/surrogate.mof"
printf 'class A\x00B : Missing { };\n' >"$work/nul_name.mof"

case_ mof-nested-10000 1 "$wmiemu" mof --check nested.mof
case_ mof-10k-instances 0 "$wmiemu" mof --check inst10k.mof
case_ mof-20k-instances 0 "$wmiemu" mof --check inst20k.mof
case_ mof-40k-instances 0 "$wmiemu" mof --check inst40k.mof
case_ mof-100k-qualifiers 0 "$wmiemu" mof --check quals100k.mof
case_ mof-5000-deep-classes 1 "$wmiemu" mof --check deep.mof
case_ mof-dev-zero 1 "$wmiemu" mof --check /dev/zero
case_ replay-dev-zero 1 "$wmiemu" replay /dev/zero
case_ mof-namespace-root-slash 1 "$wmiemu" mof --check ns_slash.mof
case_ mof-utf16-lone-surrogate 1 "$wmiemu" mof --check surrogate.mof
case_ mof-nul-in-class-name 1 "$wmiemu" mof --check nul_name.mof

# ---- providers that hang, flood, crash, straggle, lie ---------------------------
run_case init-hang 1 init_hang "SELECT * FROM BrokenEvent" --init-timeout 1000 --duration 3
run_case cancel-hang 1 cancel_hang "SELECT * FROM BrokenEvent" --call-limit 250 --duration 1
run_case call-hang 1 call_hang "SELECT * FROM BrokenEvent" --call-limit 250 --duration 1
case_ flood-duration-3 0 env BROKEN_FLOOD_COUNT=0 "$wmiemu" run --mof "$broken/broken_flood.mof" \
  --provider "$prov/broken_flood.so" --query "SELECT * FROM BrokenEvent" --duration 3 --format mof
case_ flood-10M-duration-5 0 env BROKEN_FLOOD_COUNT=10000000 "$wmiemu" run --mof "$broken/broken_flood.mof" \
  --provider "$prov/broken_flood.so" --query "SELECT * FROM BrokenEvent" --duration 5 --format mof
# Ctrl-C after a second: the first SIGINT ends the run with its summary
case_ flood-sigint 0 sh -c "BROKEN_FLOOD_COUNT=0 \"$wmiemu\" run --mof \"$broken/broken_flood.mof\" \
  --provider \"$prov/broken_flood.so\" --query 'SELECT * FROM BrokenEvent' --format mof & pid=\$!; \
  sleep 1; kill -INT \$pid; wait \$pid"
case_ cancel-hang-sigint 1 sh -c "\"$wmiemu\" run --mof \"$broken/broken_cancel_hang.mof\" \
  --provider \"$prov/broken_cancel_hang.so\" --query 'SELECT * FROM BrokenEvent' --call-limit 250 & pid=\$!; \
  sleep 1; kill -INT \$pid; wait \$pid"
run_case crash-provide-events 1 crash "SELECT * FROM BrokenEvent" --duration 2
run_case abort-in-thread 1 abort_thread "SELECT * FROM BrokenEvent" --duration 3
run_case data-symbol-export 1 data_export "SELECT * FROM BrokenEvent" --duration 1
run_case garbage-qi 1 garbage_qi "SELECT * FROM BrokenEvent" --duration 1
run_case late-pthread 1 late_pthread "SELECT * FROM BrokenEvent" --duration 1
run_case late-indicate 1 late_indicate "SELECT * FROM BrokenEvent" --duration 1
run_case extra-release 1 extra_release "SELECT * FROM BrokenEvent" --duration 1
run_case after-cancel 0 after_cancel "SELECT * FROM BrokenEvent" --duration 1
run_case indicate-overcount 1 overcount "SELECT * FROM BrokenEvent" --duration 1
explore_case explore-init-hang 1 init_hang "SELECT * FROM BrokenEvent" --iterations 20
explore_case explore-cancel-hang 1 cancel_hang "SELECT * FROM BrokenEvent" --iterations 20
explore_case explore-call-hang 1 call_hang "SELECT * FROM BrokenEvent" --iterations 20
explore_case explore-crash 1 crash "SELECT * FROM BrokenEvent" --iterations 20 --trace crash.jsonl
case_ replay-crash 1 "$wmiemu" replay crash.jsonl
explore_case explore-abort-thread 1 abort_thread "SELECT * FROM BrokenEvent" --iterations 20
explore_case explore-garbage-qi 1 garbage_qi "SELECT * FROM BrokenEvent" --iterations 20
explore_case explore-late-pthread 1 late_pthread "SELECT * FROM BrokenEvent" --iterations 20

echo "hostile cases failing: $failures"
exit $((failures != 0))
