#!/usr/bin/env bash
# Installs the npm packages the end-to-end tests run (tests/e2e/package-lock.json), once per lock file.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
dir="$(cd "$(dirname "$0")/../tests/e2e" && pwd)"
stamp="$dir/node_modules/.gatehouse-lock-hash"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "install-e2e: npm ci in tests/e2e"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
