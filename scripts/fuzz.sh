#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each one, starting
# from the seed corpus in fuzz/corpus/. Usage:
#   bash scripts/fuzz.sh 60           each target for 60 seconds
#   bash scripts/fuzz.sh --runs 20000 each target for 20,000 inputs (what CI does)
# A crash leaves its input in build-fuzz/findings/ and fails the run.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_FUZZ_DIR:-$root/build-fuzz}"
if [ "${1:-}" = "--runs" ]; then limit="-runs=${2:?}"; else limit="-max_total_time=${1:-60}"; fi
bash "$root/scripts/install-deps.sh" --hardening
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGATEHOUSE_BUILD_FUZZ=ON -DGATEHOUSE_BUILD_APP=OFF -DGATEHOUSE_BUILD_TESTS=OFF -DGATEHOUSE_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
mkdir -p "$build/findings"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
for target in policy jsonrpc sse evaluator; do
  corpus="$root/fuzz/corpus/$target"
  [ "$target" = evaluator ] && corpus="$root/fuzz/corpus/arguments"
  work="$build/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz_$target"
  "$build/fuzz/fuzz_$target" "$work" "$corpus" "$limit" -max_len=65536 -timeout=10 \
    -artifact_prefix="$build/findings/$target-" -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' || true
  if ls "$build/findings/$target-"* >/dev/null 2>&1; then
    echo "fuzz_$target found a crash: $(ls "$build/findings/$target-"*)"
    exit 1
  fi
done
