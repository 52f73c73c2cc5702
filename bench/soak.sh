#!/usr/bin/env bash
# The long soak (not in CI): sessions and calls for an hour (or SECONDS=N), printing the proxy's memory
# and open descriptors as it goes; fails if either grows; then 1,000,000 calls on one kept-alive
# connection (or KEEPALIVE_CALLS=N). CI runs the same test for two minutes and 100,000 calls.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >&2
SOAK_SECONDS="${SECONDS_TO_RUN:-3600}" SOAK_KEEPALIVE_CALLS="${KEEPALIVE_CALLS:-1000000}" \
  "$build/tests/e2e/tst_soak_e2e" -maxwarnings 0
