#!/bin/sh
# Runs a test inside a private D-Bus session with its own unlocked GNOME keyring in a temporary home,
# so that keychain code is tested for real without touching the user's own keyring.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export GATEHOUSE_TEST_KEYCHAIN=1
exec dbus-run-session -- sh -c \
  'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' sh "$@"
