#!/usr/bin/env bash
# Lists the files of emu/ over MAX_FILE lines and the functions over MAX_FN
# lines (a function runs from its head at column 0 to the "}" at column 0),
# the two limits the code keeps to. Exit 0 always: it reports, CI does not
# gate on it.
# Usage: tools/scripts/sizes.sh [DIR] [MAX_FILE] [MAX_FN]
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)/emu}
max_file=${2:-800}
max_fn=${3:-150}
mapfile -t files < <(find "$dir" \( -name '*.c' -o -name '*.h' \) | sort)
echo "files over $max_file lines:"
wc -l "${files[@]}" | awk -v m="$max_file" '$2 != "total" && $1 > m { printf "  %5d %s\n", $1, $2; n++ }
  END { if (!n) print "  none" }'
echo "functions over $max_fn lines:"
awk -v m="$max_fn" '
  FNR == 1 { name = "" }
  /^[A-Za-z_][A-Za-z0-9_ \t\*]*[ \t\*]([A-Za-z_][A-Za-z0-9_]*)\(/ && !/;[ \t]*$/ {
    if (name == "") { line = $0; sub(/\(.*/, "", line); n = split(line, w, /[ \t\*]+/); name = w[n]; start = FNR }
  }
  /^}/ && name != "" {
    len = FNR - start + 1
    if (len > m) { printf "  %5d %s:%d %s\n", len, FILENAME, start, name; found++ }
    name = ""
  }
  /^[^ \t}].*;[ \t]*$/ && name != "" && FNR == start { name = "" }
  END { if (!found) print "  none" }' $(printf '%s\n' "${files[@]}" | grep '\.c$')
