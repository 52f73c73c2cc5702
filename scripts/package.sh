#!/usr/bin/env bash
# Builds the .deb (cpack), checks the desktop entry and the AppStream metadata, installs the package with
# apt on this machine, and smoke-tests the installed command: --version, check on the shipped policies,
# and a headless serve of the Rolli sandbox. Removes the package afterwards.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${GATEHOUSE_PACKAGE_DIR:-$root/build-package}"
bash "$root/scripts/install-deps.sh" --packaging
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DGATEHOUSE_BUILD_TESTS=OFF -DGATEHOUSE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --parallel "$(nproc)"
(cd "$build" && cpack -G DEB >/dev/null)
deb="$(ls "$build"/gatehouse_*.deb)"
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ *\(Depends\|Installed-Size\|Version\):/  \1:/p'
desktop-file-validate "$root/packaging/gatehouse.desktop"
appstreamcli validate --no-net "$root/packaging/io.gatehouse.Gatehouse.metainfo.xml"

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get install -y -qq "$deb" >/dev/null
trap '$SUDO apt-get remove -y -qq gatehouse >/dev/null' EXIT
/usr/bin/gatehouse --version
for policy in /usr/share/gatehouse/policies/*.json; do
  /usr/bin/gatehouse check "$policy"
done
test -f /usr/share/man/man1/gatehouse.1 && echo "man page: /usr/share/man/man1/gatehouse.1"
test -f /usr/lib/systemd/user/gatehouse.service || test -f /lib/systemd/user/gatehouse.service
# Headless smoke: serve the sandbox, wait until it lists its 30 tools, stop it.
scratch="$(mktemp -d)"
trap '$SUDO apt-get remove -y -qq gatehouse >/dev/null; rm -rf "$scratch"' EXIT
XDG_DATA_HOME="$scratch" XDG_CONFIG_HOME="$scratch" XDG_RUNTIME_DIR="$scratch" \
  timeout 20 /usr/bin/gatehouse serve --preset rolli-sandbox --listen 127.0.0.1:0 >"$scratch/log" 2>&1 &
for _ in $(seq 1 100); do
  grep -q "serving 30 Rolli tools" "$scratch/log" && grep -q "listening on" "$scratch/log" && break
  sleep 0.1
done
grep "listening on\|serving 30" "$scratch/log"
kill %1 2>/dev/null || true
wait || true
echo "package: installed, checked and removed"
