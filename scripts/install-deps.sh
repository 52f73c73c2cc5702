#!/usr/bin/env bash
# Installs the Debian 12 packages Gatehouse needs to build and test, skipping those already present.
# --hardening adds clang (libFuzzer) and valgrind for scripts/fuzz.sh and scripts/test-sanitizers.sh;
# --tests adds what only the tests use (Chromium); --packaging what the .deb needs.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # Qt 6.4: Core/Network/Sql(+SQLite)/Widgets/Test come with qt6-base-dev; Charts and Svg for the GUI
  # (Charts' CMake package needs Qt6OpenGL's, which qt6-charts-dev does not pull in without recommends)
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libgl-dev
  # HTTP request parsing for the proxy (Node's http_parser 2.9)
  libhttp-parser-dev
  # a font for the app's widgets where no desktop provides one (GUI tests and screenshots render offscreen)
  fonts-dejavu-core
  # the user's keychain for the Rolli API token and upstream headers
  qtkeychain-qt6-dev
  # shared rate-limit counters for several proxies (--counters redis://…); the server for their tests
  libhiredis-dev redis-server
  # a real keychain for the tests: GNOME keyring on a private session bus (tests/e2e/with-keychain.sh)
  gnome-keyring dbus
)

for flag in "$@"; do
  case "$flag" in
    # what the sanitizer, fuzzing and valgrind runs need besides
    --hardening) packages+=(clang libclang-rt-14-dev valgrind) ;;
    # what building and checking the .deb needs
    --packaging) packages+=(dpkg-dev appstream desktop-file-utils file) ;;
    # what only the tests need: a real browser for the approval page (driven by playwright-core)
    --tests) packages+=(chromium) ;;
    *) echo "install-deps: unknown option $flag (--hardening, --packaging, --tests)" >&2; exit 2 ;;
  esac
done

# The registries are reached over TLS (npm for the e2e peers); a minimal Debian has no CA bundle.
packages+=(ca-certificates)

# Node.js runs the real MCP peers of the end-to-end tests (npm packages pinned in tests/e2e).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
