#!/bin/sh
# The Win32/COM functions wmiemu provides: every function libwmiemu exports
# whose name does not start with wmiemu_ (those are wmiemu's own API).
#
#   function-table.sh list LIB            the names, one per line, sorted
#   function-table.sh table LIB           the README section's text
#   function-table.sh update LIB README   rewrites README between the markers
#   function-table.sh check LIB README    fails when README's table is not the
#                                         one LIB's exports give
#
# The README section sits between "<!-- functions:begin -->" and
# "<!-- functions:end -->".
set -eu
usage() { echo "usage: function-table.sh list|table LIB | update|check LIB README" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 lib=$2
[ -r "$lib" ] || { echo "function-table.sh: cannot read $lib" >&2; exit 1; }

list() {
  nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "W" { print $3 }' |
    grep -v -e '^wmiemu_' -e '^_' | LC_ALL=C sort -u
}

# One table row per group, in this order; a name goes to the first group
# whose pattern it matches.
table() {
  list | awk '
    BEGIN {
      n = split("Registry|Modules|Diagnostics|Memory|BSTR, VARIANT and SAFEARRAY|COM|Security|" \
                "Threads and synchronisation|Strings|Handles and errors", group, "|")
      pat[1] = "^Reg[A-HJ-Z]"   # not RegisterEventSource
      pat[2] = "^(LoadLibrary|FreeLibrary|GetProcAddress|GetModule|DisableThreadLibraryCalls)"
      pat[3] = "^(OutputDebugString|FormatMessage|RegisterEventSource|DeregisterEventSource|ReportEvent)"
      pat[4] = "^(Local|Global|Heap|GetProcessHeap|CoTaskMem)"
      pat[5] = "^(Sys|Variant|Var[A-Z]|SafeArray|VectorFromBstr|BstrFromVector)"
      pat[6] = "^(Co|CLSID|IID|ProgID|StringFromCLSID|StringFromGUID|StringFromIID|IsEqual|UuidCreate)"
      pat[7] = "(Sid|SecurityDescriptor|Acl|Ace|Token|AccessCheck|MapGenericMask|Impersonat|RevertToSelf|Privilege)"
      pat[8] = "(Thread|Event|CriticalSection|Wait|Sleep|Interlocked|Mutex|Semaphore|SRW|Srw|ConditionVariable|TimerQueue|WorkItem|TickCount|Performance|Process|SystemTime|FileTime|Once)"
      pat[9] = "^(String|wcs|_wcs|lstr|MultiByte|WideChar)"
      pat[10] = "."
    }
    {
      for (i = 1; i <= n; i++)
        if ($0 ~ pat[i]) { names[i] = names[i] (names[i] == "" ? "" : ", ") "`" $0 "`"; count[i]++; total++; break }
    }
    END {
      printf "%d functions, generated from the exports of libwmiemu by `tools/scripts/function-table.sh`\n", total
      printf "(the CTest `readme_function_table` fails when this table and the library differ).\n\n"
      printf "| group | functions |\n|---|---|\n"
      for (i = 1; i <= n; i++)
        if (count[i]) printf "| %s (%d) | %s |\n", group[i], count[i], names[i]
    }'
}

section() {
  echo "<!-- functions:begin -->"
  table
  echo "<!-- functions:end -->"
}

# The README with its section replaced by the file $1.
replace() {
  awk -v new="$1" '
    /^<!-- functions:begin -->$/ { while ((getline line < new) > 0) print line; skip = 1; found++; next }
    /^<!-- functions:end -->$/ { skip = 0; next }
    !skip { print }
    END { if (found != 1) exit 3 }' "$2"
}

case $cmd in
list) list ;;
table) table ;;
update|check)
  [ $# -eq 3 ] || usage
  readme=$3
  tmp=$(mktemp)
  out=$(mktemp)
  trap 'rm -f "$tmp" "$out"' EXIT
  section > "$tmp"
  if ! replace "$tmp" "$readme" > "$out"; then
    echo "function-table.sh: $readme has no single <!-- functions:begin --> ... <!-- functions:end --> section" >&2
    exit 1
  fi
  if [ "$cmd" = update ]; then
    cat "$out" > "$readme"
  elif ! diff -u "$readme" "$out"; then
    echo "function-table.sh: the function table in $readme is out of date with $lib;" >&2
    echo "  run: tools/scripts/function-table.sh update $lib $readme" >&2
    exit 1
  fi
  ;;
*) usage ;;
esac
