#!/usr/bin/env bash
# Builds Gatehouse with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ and runs the unit,
# CLI and end-to-end tests there. Any sanitizer report fails the run (halt_on_error, and UBSan made
# fatal with -fno-sanitize-recover). Needs what scripts/install-deps.sh installs.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_ASAN_DIR:-$root/build-asan}"
bash "$root/scripts/install-deps.sh" --hardening --tests
bash "$root/scripts/install-e2e.sh"
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# Headless (no desktop app): the engine and the proxy are what faces hostile input.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGATEHOUSE_BUILD_BENCH=OFF -DGATEHOUSE_BUILD_GUI=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
# Every sanitized process (the tests and each proxy they start) writes its reports to files here, so a
# report from a proxy whose output no test reads still fails the run.
reports="$build/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export QT_QPA_PLATFORM=offscreen
# The load test's 100,000 calls are about exactness, not memory errors, and take minutes under ASan.
status=0
SOAK_SECONDS=60 SOAK_KEEPALIVE_CALLS=5000 ctest --test-dir "$build" --output-on-failure --timeout 900 -j "$(nproc)" -E 'tst_load_e2e' || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports:"
  cat "$reports"/*
  exit 1
fi
echo "sanitizers: no reports"
exit $status
