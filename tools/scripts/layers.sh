#!/usr/bin/env bash
# Lists the #include edges between the modules of emu/ and fails on one that
# runs up the layer order. The build refuses such an include too (each module
# compiles against the headers of the modules below it only); this script
# says the same from the sources alone, with the file and line.
#
# Usage: tools/scripts/layers.sh [ROOT]     exit 0: no upward edge; 1: some.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"

# Lowest first; the order emu/CMakeLists.txt builds them in.
layers=$(sed -n 's/^set(WMIEMU_LAYERS \(.*\))$/\1/p' emu/CMakeLists.txt)
[ -n "$layers" ] || { echo "layers.sh: no WMIEMU_LAYERS in emu/CMakeLists.txt" >&2; exit 2; }

mapfile -t files < <( (find emu -path emu/include -prune -o \( -name '*.c' -o -name '*.h' \) -print;
                       find tools/wmiemu \( -name '*.c' -o -name '*.h' \)) | sort)
awk -v layers="$layers" '
  BEGIN {
    n = split(layers, order, " ")
    for (i = 1; i <= n; i++) level[order[i]] = i
    level["common"] = 1           # wmiemu/common.h belongs to the lowest layer
  }
  FNR == 1 { split(FILENAME, part, "/"); from = (part[1] == "tools") ? "tools" : part[2] }
  /^[ \t]*#[ \t]*include[ \t]*["<]/ {
    line = $0
    sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
    path = substr(line, 2); sub(/[">].*/, "", path)
    to = ""
    if (path ~ /^wmiemu\//) {           # a public header: wmiemu/MODULE.h or MODULE_*.h
      to = substr(path, 8); sub(/\.h$/, "", to); sub(/_.*/, "", to)
    } else if (path ~ /\//) {
      to = path; sub(/\/.*/, "", to)
    }
    if (from == "tools") {
      if (to in level && path !~ /^wmiemu\//) cli[FILENAME] = cli[FILENAME] FILENAME ":" FNR ": " path " (an internal header in the CLI)\n"
      next
    }
    if (!(to in level) || !(from in level)) next
    if (to == "common") to = order[1]
    if (to == from) next
    key = from " -> " to
    count[key]++
    if (level[to] > level[from]) { up[key] = up[key] FILENAME ":" FNR ": " path "\n"; bad++ }
  }
  END {
    for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) {
      key = order[i] " -> " order[j]
      if (key in count)
        printf "%-20s %4d include(s)%s\n", key, count[key], (key in up) ? "  UPWARD" : ""
    }
    # The command line is a user of the library like any other: public headers only.
    for (f in cli) bad++
    if (bad) {
      printf "\n%d upward include(s): a module may include only the modules below it (%s),\n", bad, layers
      printf "and tools/wmiemu only the public headers\n"
      for (k in up) printf "%s", up[k]
      for (f in cli) printf "%s", cli[f]
      exit 1
    }
    printf "0 upward edges (layers: %s)\n", layers
  }' "${files[@]}"
