#!/usr/bin/env bash
# The long soak (not in CI): sessions and calls for an hour (or SECONDS=N), printing the proxy's memory
# and open descriptors as it goes; fails if either grows. CI runs the same test for two minutes.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >&2
SOAK_SECONDS="${SECONDS_TO_RUN:-3600}" "$build/tests/e2e/tst_soak_e2e" -maxwarnings 0
