#!/usr/bin/env bash
# A look at Herald's desktop integration on Linux, for a person to judge (not part of
# scripts/test.sh: it needs a panel with a status tray and a notification daemon, which a CI
# machine does not have). Installs openbox, xfce4-panel (its tray shows StatusNotifier icons),
# dunst, wmctrl and xdotool if missing, then in a private Xvfb + D-Bus session:
#
#   1. creates a workspace with one contact, a campaign scheduled two minutes ago that cannot
#      start (no sender settings) and one scheduled next week, and launches the debug app;
#   2. the scheduler tries it: a notification says why (dunst shows it);
#   3. closing the window keeps Herald running in the tray (a campaign is scheduled);
#   4. launching Herald again brings the window back instead of starting a second copy;
#   5. "Quit Herald" from the tray icon's menu ends it.
#
# Prints each check and leaves screenshots in target/tray-check/. Run after
# `cargo build -p herald-cli -p herald-desktop` (and `npm --prefix ui run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ -z "${HERALD_DESKTOP_SESSION:-}" ]; then
  missing=()
  for cmd in openbox:openbox xfce4-panel:xfce4-panel dunst:dunst wmctrl:wmctrl xdotool:xdotool; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  exec scripts/desktop-session.sh "$0" "$@"
fi

BIN="$CARGO_TARGET_DIR/debug"
OUT="$PWD/target/tray-check"
rm -rf "$OUT" && mkdir -p "$OUT"
HERALD_HOME="$(mktemp -d)"
export HERALD_HOME
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$HERALD_HOME"' EXIT
failures=0
check() { # message, then a command that must succeed
  local message="$1"; shift
  if "$@"; then echo "ok   - $message"; else echo "FAIL - $message"; failures=$((failures + 1)); fi
}
herald_window() { wmctrl -l | grep -q 'Herald'; }

"$BIN/herald" workspace create "Acme Marketing" >/dev/null
"$BIN/herald" contacts add ann@example.com --first-name Ann >/dev/null
DB="$HERALD_HOME/workspaces/Acme Marketing/herald.db"
NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
PAST=$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%SZ)
NEXT_WEEK=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
sqlite3 "$DB" "INSERT INTO campaigns (name, status, scheduled_at, schedule_time_zone, subject,
    audience_json, body_source, body_format, created_at, updated_at)
  VALUES ('Winter sale', 'scheduled', '$PAST', 'Europe/Lisbon', 'Winter is here',
    '{\"tags\":[],\"segments\":[],\"contacts\":[1]}', '<p>Hi</p>', 'html', '$NOW', '$NOW'),
    ('Spring sale', 'scheduled', '$NEXT_WEEK', 'Europe/Lisbon', 'Spring is here',
    '{\"tags\":[],\"segments\":[],\"contacts\":[1]}', '<p>Hi</p>', 'html', '$NOW', '$NOW')"
# dunst runs this for every notification: the summary and body land in a file.
cat > "$HERALD_HOME/notified.sh" <<SCRIPT
#!/bin/sh
printf '%s | %s\\n' "\$2" "\$3" >> "$OUT/notifications.txt"
SCRIPT
chmod +x "$HERALD_HOME/notified.sh"
printf '[log]\n    summary = "*"\n    script = "%s"\n' "$HERALD_HOME/notified.sh" > "$HERALD_HOME/dunstrc"

openbox >/dev/null 2>&1 &
sleep 1
xfce4-panel >/dev/null 2>&1 &
dunst -config "$HERALD_HOME/dunstrc" >/dev/null 2>&1 &
sleep 3
"$BIN/herald-desktop" >"$OUT/herald.log" 2>&1 &
HERALD=$!
sleep 10
import -window root "$OUT/1-started-notification.png"
check "the app window is open" herald_window
check "a notification says the scheduled campaign could not start" \
  grep -q 'Winter sale.* did not start at its time | There is no sender address.* more problems are listed on the campaign. It waits for you' "$OUT/notifications.txt"

wmctrl -c Herald
sleep 3
import -window root "$OUT/2-closed-to-tray.png"
check "closing the window keeps Herald running" kill -0 "$HERALD"
check "the window is hidden" bash -c '! wmctrl -l | grep -q Herald'
check "a tray icon is registered" bash -c \
  'gdbus call --session --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
     --method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems \
   | grep -q "org"'

check "a second launch hands over and ends" "$BIN/herald-desktop"
sleep 3
import -window root "$OUT/3-second-launch.png"
check "the window is back" herald_window

# The tray icon sits left of the panel clock, top right; its menu: Open Herald, Quit Herald.
wmctrl -c Herald
sleep 2
xdotool mousemove 1315 13 sleep 1 mousedown 3 sleep 0.2 mouseup 3
sleep 2
import -window root "$OUT/4-tray-menu.png"
xdotool key Down Down Return
sleep 5
check "Quit Herald in the tray menu ends Herald" bash -c "! kill -0 $HERALD 2>/dev/null"

echo "screenshots: $OUT"
[ "$failures" -eq 0 ]
