#!/bin/bash -eu
# Builds wmiemu's fuzz targets the OSS-Fuzz way, for ClusterFuzzLite and
# OSS-Fuzz alike: with $CC, $CXX, $CFLAGS and $CXXFLAGS (which choose the
# sanitizer and carry -fsanitize=fuzzer-no-link) for the whole library, so
# that the code each target reaches is instrumented and checked, and
# $LIB_FUZZING_ENGINE for the targets' link. Each target goes to $OUT with
# its seed corpus (TARGET_seed_corpus.zip) and dictionary (TARGET.dict).
# Run it by hand, as the test script does:
#   CC=clang CXX=clang++ CFLAGS='-fsanitize=address,fuzzer-no-link' CXXFLAGS=... \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC=/path/above/wmiemu OUT=/tmp/out .clusterfuzzlite/build.sh

src="${SRC}/wmiemu"
[[ -f "$src/CMakeLists.txt" ]] || src="$(cd "$(dirname "$0")/.." && pwd)"
build="${WORK:-/tmp}/wmiemu-fuzz-build"

# WMIEMU_FUZZ_FLAGS empty: the sanitizer is $CFLAGS's, not the default one.
cmake -S "$src" -B "$build" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWMIEMU_FUZZ=ON -DWMIEMU_FUZZ_FLAGS= -DWMIEMU_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"

targets=()
for t in fuzz_wql fuzz_mof fuzz_delivery; do
  [[ -f "$src/tools/fuzz/$t.c" ]] && targets+=("$t")
done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

mkdir -p "$OUT"
for t in "${targets[@]}"; do
  name="${t#fuzz_}"
  cp "$build/bin/$t" "$OUT/"
  if [[ -d "$src/tools/fuzz/corpus/$name" ]]; then
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "$src/tools/fuzz/corpus/$name" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  fi
  if [[ -f "$src/tools/fuzz/$name.dict" ]]; then
    cp "$src/tools/fuzz/$name.dict" "$OUT/$t.dict"
  fi
done
