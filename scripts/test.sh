#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_BUILD_DIR:-$root/build}"
bash "$root/scripts/install-deps.sh" --tests
bash "$root/scripts/build.sh" -DGATEHOUSE_BUILD_TESTS=ON
bash "$root/scripts/install-e2e.sh"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$build" --output-on-failure --timeout 600 -j "$(nproc)"
