#!/usr/bin/env bash
# Installs what is missing, builds, and runs Gatehouse on its built-in default: the Rolli sandbox (Rolli's
# 30 tools on synthetic data) behind the recommended Rolli policy. With a display that is the desktop app;
# without one (or with GATEHOUSE_HEADLESS=1), the headless proxy, which prints how to connect an agent.
# With arguments, runs `gatehouse ARGS...` instead.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >&2

gatehouse="$build/app/gatehouse"
if [ $# -gt 0 ]; then
  exec "$gatehouse" "$@"
fi

if [ -z "${GATEHOUSE_HEADLESS:-}" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  echo "Opening the Gatehouse window (the banner at its top shows how to connect an agent)." >&2
  exec "$gatehouse" gui
fi

policy="$root/resources/policies/rolli-recommended.json"
port="${GATEHOUSE_PORT:-8731}"
token="${GATEHOUSE_TOKEN:-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')}"
cat <<EOT

Gatehouse is starting in front of the Rolli sandbox, with the recommended Rolli policy
($policy: Read tools allowed, Write 30/min and Execute 10/min per grant, Destructive hidden).

Connect your agent:
  Cursor, VS Code or any Streamable HTTP client:
    URL     http://127.0.0.1:$port/mcp
    header  Authorization: Bearer $token
  Claude Desktop (claude_desktop_config.json, "mcpServers"):
    "gatehouse-rolli": {"command": "$gatehouse",
                        "args": ["serve", "--stdio", "--policy", "$policy", "--", "$gatehouse", "sandbox"]}
  Try it from a terminal:
    npx -y @modelcontextprotocol/inspector --cli http://127.0.0.1:$port/mcp --transport http \\
        --header "Authorization: Bearer $token" --method tools/list

Every decision is logged below; calls that need a person are asked here. Ctrl-C stops it.

EOT
# The token goes in the environment: a command line can be read by every local user.
export GATEHOUSE_TOKEN="$token"
exec "$gatehouse" serve --policy "$policy" --listen "127.0.0.1:$port" -- "$gatehouse" sandbox
