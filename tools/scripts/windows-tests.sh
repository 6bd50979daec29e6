#!/usr/bin/env bash
# The tests the Windows build does not run, listed with why in
# tests/windows-not-applicable.txt, and the README's copy of that list.
#   windows-tests.sh list SOURCE_DIR        the README's list, as Markdown
#   windows-tests.sh check SOURCE_DIR       the README holds that list (exit 1 if not)
#   windows-tests.sh update SOURCE_DIR      rewrites the README's list
#   windows-tests.sh coverage SOURCE_DIR LINUX_BUILD WIN_BUILD
#       every test of the Linux build is registered in the Windows build or
#       listed, and no listed one is registered there; prints the counts.
set -eu
mode=${1:?usage: windows-tests.sh list|check|update|coverage SOURCE_DIR [LINUX_BUILD WIN_BUILD]}
src=${2:?usage: windows-tests.sh list|check|update|coverage SOURCE_DIR [LINUX_BUILD WIN_BUILD]}
na=$src/tests/windows-not-applicable.txt
readme=$src/README.md
begin='<!-- windows-not-applicable: made by tools/scripts/windows-tests.sh from tests/windows-not-applicable.txt -->'
end='<!-- windows-not-applicable end -->'

list() {
    grep -v '^#' "$na" | grep -v '^$' | while IFS="$(printf '\t')" read -r name why; do
        printf -- '- `%s`: %s\n' "$name" "$why"
    done
}

# The README between the two markers.
current() {
    awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$readme"
}

# A test name matched against the list's names, where * is any text.
listed() {
    grep -v '^#' "$na" | grep -v '^$' | cut -f1 | while read -r pattern; do
        # shellcheck disable=SC2254 # the pattern is a glob on purpose
        case $1 in $pattern) echo yes; break ;; esac
    done
}

tests_of() {
    ctest --test-dir "$1" -N | sed -n 's/^ *Test *#[0-9]*: //p'
}

case $mode in
list) list ;;
check)
    if ! grep -qxF "$begin" "$readme" || ! grep -qxF "$end" "$readme"; then
        echo "windows-tests: README.md has no list of the tests the Windows build does not run" >&2
        exit 1
    fi
    if ! current | diff -u - <(list) 2>/dev/null; then
        echo "windows-tests: README.md's list differs from tests/windows-not-applicable.txt: run tools/scripts/windows-tests.sh update ." >&2
        exit 1
    fi
    ;;
update)
    tmp=$(mktemp)
    list >"$tmp.list"
    awk -v b="$begin" -v e="$end" -v f="$tmp.list" '
        $0 == e { while ((getline l < f) > 0) print l; on = 0 }
        !on { print }
        $0 == b { on = 1 }' "$readme" >"$tmp"
    cat "$tmp" >"$readme"
    rm -f "$tmp" "$tmp.list"
    ;;
coverage)
    linux=${3:?LINUX_BUILD}
    win=${4:?WIN_BUILD}
    tests_of "$win" | sort >"${TMPDIR:-/tmp}/wmiemu-win-tests.$$"
    bad=0 run=0 na_count=0
    for t in $(tests_of "$linux"); do
        if grep -qxF "$t" "${TMPDIR:-/tmp}/wmiemu-win-tests.$$"; then
            run=$((run + 1))
            if [ -n "$(listed "$t")" ]; then
                echo "windows-tests: $t runs in the Windows build but is listed as not applicable" >&2
                bad=1
            fi
        elif [ -n "$(listed "$t")" ]; then
            na_count=$((na_count + 1))
        else
            echo "windows-tests: $t neither runs in the Windows build nor is listed in tests/windows-not-applicable.txt" >&2
            bad=1
        fi
    done
    rm -f "${TMPDIR:-/tmp}/wmiemu-win-tests.$$"
    echo "windows-tests: of the Linux build's tests, $run registered in the Windows build, $na_count not applicable"
    exit $bad
    ;;
*) echo "windows-tests: unknown mode $mode" >&2; exit 2 ;;
esac
