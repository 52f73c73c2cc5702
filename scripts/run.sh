#!/usr/bin/env bash
# Installs what is missing, builds, and runs Gatehouse on its built-in default.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >&2

gatehouse="$build/app/gatehouse"
policy="$root/resources/policies/rolli-recommended.json"
if [ $# -gt 0 ]; then
  exec "$gatehouse" "$@"
fi
# Until the proxy lands, the default run shows the policy engine deciding Rolli calls: the recommended
# policy is checked, then an agent calls rerun_agent_run eleven times in one minute.
echo "\$ gatehouse check resources/policies/rolli-recommended.json"
"$gatehouse" check "$policy"
echo
echo "\$ gatehouse explain resources/policies/rolli-recommended.json --tool rerun_agent_run --args '{\"id\":42}' --calls 11"
"$gatehouse" explain "$policy" --tool rerun_agent_run --args '{"id":42}' --calls 11
