#!/usr/bin/env bash
# The provider developer kit as a provider developer meets it, against an
# install of this build in a temporary prefix (and nothing of the tree):
#   sdk_test.sh STEP SOURCE_DIR BINARY_DIR
# install     cmake --install into BINARY_DIR/sdk-test/prefix; no installed
#             text file names the source or build tree
# template    examples/provider-template copied out, configured with
#             CMAKE_PREFIX_PATH=prefix, built, its ctest (run and explore)
# pkgconfig   the one-liner cc ... $(pkg-config --cflags --libs wmiemu)
#             builds the sample provider, which `wmiemu run` then hosts
# guard       without -fshort-wchar a provider fails to compile, naming it
# missing     wmiemu_add_provider refuses a provider calling functions
#             wmiemu lacks, naming them
# expect      wmiemu_add_provider_test passes on the violations it is told
#             to expect, fails on others
# aliases     Windows' spellings of header names resolve
# subproject  add_subdirectory(wmiemu) configures without tests or CMocka
set -euo pipefail
step=$1 src=$2 bin=$3
work=$bin/sdk-test
prefix=$work/prefix
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc=${CC:-cc}

fail() { echo "sdk_test $step: $*" >&2; exit 1; }
# Runs a command that must fail and print the text given first.
must_fail_with() {
  local text=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "$out"
    fail "succeeded: $*"
  fi
  echo "$out"
  grep -qF -- "$text" <<<"$out" || fail "no '$text' in the output of: $*"
}

case $step in
install)
  rm -rf "$work"
  mkdir -p "$work"
  cmake --install "$bin" --prefix "$prefix" >/dev/null
  [[ -x $prefix/bin/wmiemu && -f $prefix/lib/cmake/wmiemu/wmiemuConfig.cmake && -f $PKG_CONFIG_PATH/wmiemu.pc ]] ||
    fail "incomplete install"
  for h in wbemprov.h wbemidl.h wbemcli.h wbemprov_i.c; do
    [[ -f $prefix/include/wmiemu/win32/generated/$h ]] || fail "$h not installed"
  done
  # Text files only: compiled code keeps its debug information.
  if grep -rIl -e "$src" -e "$bin" "$prefix"; then
    fail "installed files name the build"
  fi
  ;;
template)
  rm -rf "$work/template" "$work/template-build"
  cp -r "$src/examples/provider-template" "$work/template"
  cmake -S "$work/template" -B "$work/template-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/template-build" -j2
  ctest --test-dir "$work/template-build" --output-on-failure
  [[ $(ctest --test-dir "$work/template-build" -N) == *template_tick.explore* ]] || fail "no explore test"
  ;;
pkgconfig)
  # shellcheck disable=SC2046
  "$cc" -shared -fPIC -o "$work/pc_tick.so" "$src/provider/sample/sample_tick.c" $(pkg-config --cflags --libs wmiemu)
  out=$(SAMPLE_TICK_INTERVAL_MS=5 "$prefix/bin/wmiemu" run --mof "$src/provider/sample/sample.mof" \
        --provider "$work/pc_tick.so" --query "SELECT * FROM SampleTick" --count 2 2>&1)
  echo "$out"
  [[ $(grep -c '^{"class":"SampleTick"' <<<"$out") == 2 ]] || fail "no events"
  grep -q "summary: 0 contract violation(s)" <<<"$out" || fail "violations"
  ;;
guard)
  flags=$(pkg-config --cflags wmiemu)
  printf '#include <windows.h>\nint main(void) { return 0; }\n' >"$work/guard.c"
  printf '#include <windows.h>\nint main() { return 0; }\n' >"$work/guard.cpp"
  # shellcheck disable=SC2086
  "$cc" -c -o "$work/guard.o" "$work/guard.c" $flags || fail "does not compile with the flags"
  # shellcheck disable=SC2086
  must_fail_with "compile with -fshort-wchar" "$cc" -c -o "$work/guard.o" "$work/guard.c" ${flags//-fshort-wchar/}
  # shellcheck disable=SC2086
  must_fail_with "compile with -fshort-wchar" "${CXX:-c++}" -c -o "$work/guard.o" "$work/guard.cpp" \
    ${flags//-fshort-wchar/}
  ;;
missing)
  rm -rf "$work/missing" "$work/missing-build"
  mkdir -p "$work/missing"
  cp "$src/tests/tools/missing_import.c" "$work/missing/"
  cat >"$work/missing/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(missing LANGUAGES C)
find_package(wmiemu 0.2 CONFIG REQUIRED)
wmiemu_add_provider(missing_import missing_import.c)
EOF
  cmake -S "$work/missing" -B "$work/missing-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  must_fail_with "missing_import.so: unresolved: GetComputerNameW" cmake --build "$work/missing-build"
  must_fail_with "unresolved: RegConnectRegistryW" cmake --build "$work/missing-build"
  ;;
expect)
  # A provider that breaks rule sink-set-status: its tests pass when the
  # rule is expected, and fail when it is not.
  rm -rf "$work/expect" "$work/expect-build"
  mkdir -p "$work/expect"
  cat >"$work/expect/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(expect LANGUAGES C)
enable_testing()
find_package(wmiemu 0.2 CONFIG REQUIRED)
add_library(broken MODULE IMPORTED)
set_target_properties(broken PROPERTIES IMPORTED_LOCATION "$bin/provider/broken_sink_status.so")
wmiemu_add_provider_test(NAME expected PROVIDER broken MOF "$src/provider/broken/broken_sink_status.mof"
                         QUERY "SELECT * FROM BrokenEvent" DURATION 1 EXPLORE 20
                         EXPECT_VIOLATIONS sink-set-status)
wmiemu_add_provider_test(NAME unexpected PROVIDER broken MOF "$src/provider/broken/broken_sink_status.mof"
                         QUERY "SELECT * FROM BrokenEvent" DURATION 1 EXPLORE 20)
EOF
  cmake -S "$work/expect" -B "$work/expect-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  ctest --test-dir "$work/expect-build" --output-on-failure -R '^expected\.'
  for t in unexpected.run unexpected.explore; do
    must_fail_with "unexpected contract violation(s): sink-set-status" \
      ctest --test-dir "$work/expect-build" --output-on-failure -R "^$t\$"
  done
  ;;
aliases)
  cat >"$work/aliases.c" <<'EOF'
#define COBJMACROS
#include <Windows.h>
#include <WbemIdl.h>
#include <WbemProv.h>
#include <WbemCli.h>
#include <NTSecAPI.h>
#include <NTSECAPI.H>
#include <StrSafe.h>
#include <ObjBase.h>
#include <OleAuto.h>
#include <Sddl.h>
#include <AclAPI.h>
#include <WinError.h>
int main(void) { return (int)sizeof(IWbemEventProvider); }
EOF
  # shellcheck disable=SC2046
  "$cc" -c -o "$work/aliases.o" "$work/aliases.c" $(pkg-config --cflags wmiemu)
  ;;
subproject)
  rm -rf "$work/parent" "$work/parent-build"
  mkdir -p "$work/parent"
  cat >"$work/parent/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(parent LANGUAGES C CXX)
add_subdirectory("$src" wmiemu)
EOF
  # pkg_check_modules says "Checking for module 'cmocka'" when it looks.
  cmake -S "$work/parent" -B "$work/parent-build" >"$work/parent.log" 2>&1 || { cat "$work/parent.log"; fail "configure"; }
  grep -q "cmocka" "$work/parent.log" && fail "looked for CMocka"
  grep -q "^WMIEMU_BUILD_TESTS:BOOL=OFF" "$work/parent-build/CMakeCache.txt" || fail "tests on"
  targets=$(cmake --build "$work/parent-build" --target help)
  grep -q "wmiemu_cli" <<<"$targets" || fail "no wmiemu command"
  grep -q "test_tools_run" <<<"$targets" && fail "tests built"
  ;;
*)
  fail "unknown step"
  ;;
esac
echo "sdk_test $step: ok"
