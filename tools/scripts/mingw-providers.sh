#!/bin/sh
# Builds the providers written as for Windows, from their sources in this
# tree as they are, into Windows DLLs with MinGW-w64, to show that they need
# no edit for Linux. Usage: mingw-providers.sh [SOURCE_DIR [OUT_DIR]].
# Exit 0 when every one built, 1 when one failed, 77 (skipped) when no
# MinGW-w64 compiler is installed (apt-get install gcc-mingw-w64-x86-64).
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${2:-${TMPDIR:-/tmp}/wmiemu-mingw-providers}
cc=${MINGW_CC:-x86_64-w64-mingw32-gcc}
cxx=${MINGW_CXX:-x86_64-w64-mingw32-g++}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "mingw-providers: skipped: $cc not found (apt-get install gcc-mingw-w64-x86-64)"
    exit 77
fi
mkdir -p "$out" || exit 1

# One line per provider: the DLL's name and its sources (a .def file among
# them gives the exports), relative to src.
providers="win32_timer provider/win32_timer/win32_timer.c
secure_cpp provider/secure_cpp/secure_cpp.cpp provider/secure_cpp/secure_cpp.def
whoami provider/whoami/whoami.c
admin_only provider/admin_only/admin_only.c"

status=0
echo "$providers" | while read -r name sources; do
    [ -n "$name" ] || continue
    files=""
    compiler=$cc
    extra=""
    for s in $sources; do
        files="$files $src/$s"
        case $s in
        # C++ providers carry their runtime, as DLLs shipped alone do.
        *.cpp) compiler=$cxx; extra="-static-libgcc -static-libstdc++" ;;
        esac
    done
    # shellcheck disable=SC2086 # the lists of files and flags are split on purpose
    if "$compiler" -Wall -Wextra -Werror -shared -o "$out/$name.dll" $files \
           -lole32 -loleaut32 -luuid -lwbemuuid -ladvapi32 $extra; then
        # What was compiled is the tree's file itself: say which, by hash.
        for s in $sources; do
            echo "mingw-providers: $name.dll from $s $(sha256sum < "$src/$s" | cut -c1-16)"
        done
    else
        echo "mingw-providers: $name: the MinGW-w64 build failed"
        exit 1
    fi
done || status=1
exit $status
