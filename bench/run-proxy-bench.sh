#!/usr/bin/env bash
# Runs the proxy benchmark (bench/proxy/bench.mjs) against the build in ./build, with the pinned npm
# peers from tests/e2e. Arguments go to the benchmark, e.g. --sequential 5000 --clients 8 --per-client 1000.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-e2e.sh"
NODE_OPTIONS=--no-warnings exec "$root/tests/e2e/node_modules/.bin/node" "$root/bench/proxy/bench.mjs" \
  --gatehouse "${GATEHOUSE_BUILD_DIR:-$root/build}/app/gatehouse" "$@"
