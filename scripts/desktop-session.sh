#!/usr/bin/env bash
# Runs a command inside what a Linux desktop session gives Herald: a private D-Bus session
# bus with GNOME Keyring unlocked (the real Secret Service, not a mock) and an Xvfb display.
# The keyring lives in a temporary folder, so runs never touch the user's own keyring.
set -euo pipefail
if [ -z "${HERALD_DESKTOP_SESSION:-}" ]; then
  export HERALD_DESKTOP_SESSION=1
  exec dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1440x900x24" "$0" "$@"
fi

XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
# With a password on stdin, the daemon creates the "login" keyring, unlocks it and makes it
# the default collection: exactly what an unlocked desktop login leaves behind.
printf 'herald-test-keyring' | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
"$@"
