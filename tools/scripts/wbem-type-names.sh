#!/bin/sh
# The type names the Windows SDK's WMI headers declare, one per line, sorted:
# typedef names as they are, enum and struct tags as "enum tag" and
# "struct tag". Read from MinGW-w64's wbemprov.h, wbemcli.h and wbemidl.h
# (the SDK headers a Linux machine has); tests/abi/wbem_type_names.txt is
# this script's output, and tests/abi checks that wmiemu's headers declare
# every name in it.
#
#   tools/scripts/wbem-type-names.sh [INCLUDE_DIR] > tests/abi/wbem_type_names.txt
set -eu
dir=${1:-/usr/share/mingw-w64/include}
for h in wbemprov.h wbemcli.h wbemidl.h; do
  [ -r "$dir/$h" ] || { echo "wbem-type-names.sh: cannot read $dir/$h" >&2; exit 1; }
done
cat "$dir/wbemprov.h" "$dir/wbemcli.h" "$dir/wbemidl.h" | awk '
  /^typedef (enum|struct) [A-Za-z_][A-Za-z0-9_]* *\{/ {
    name = $3; sub(/\{.*/, "", name); print $2 " " name; next
  }
  /^} *[A-Za-z_][A-Za-z0-9_]* *;/ {
    name = $0; sub(/^} */, "", name); sub(/ *;.*/, "", name); print name; next
  }
  /^typedef [^(]*[ *][A-Za-z_][A-Za-z0-9_]* *;/ {
    name = $0; sub(/ *;.*/, "", name); sub(/.*[ *]/, "", name); print name; next
  }
' | LC_ALL=C sort -u
