#!/usr/bin/env bash
# Installs everything Herald needs to build, run and test on Debian or Ubuntu: system
# packages, the UI's npm packages, the SES emulator and tauri-driver. Safe to run again;
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PACKAGES=(
  # building the desktop app (Tauri 2 on WebKitGTK 4.1)
  build-essential pkg-config file curl libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  # tests: a display, WebDriver for WebKitGTK, the real Secret Service
  xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools
  # screenshots and the import benchmark's reference
  imagemagick sqlite3
  # the release checks: a venv for the workflow schema check
  python3-venv
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Herald's UI build needs Node.js 20 or newer; this machine has $(node --version)." >&2
  echo "Install Node.js 20+ (e.g. from your distribution's backports or NodeSource) and run again." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "==> Installing the Rust toolchain with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt 2>/dev/null || true

# ui/'s devDependencies include @tauri-apps/cli (a prebuilt binary from the npm registry),
# which the bundle test and the release workflow build installers with.
echo "==> Installing npm packages (ui/, tests/)"
npm ci --prefix ui --no-audit --no-fund --loglevel=error
npm ci --prefix tests --no-audit --no-fund --loglevel=error

# moto's S3 server for the asset publishing tests, in a venv of the project's own.
if [ ! -x tests/.venv/bin/moto_server ]; then
  echo "==> Installing moto[server] into tests/.venv"
  command -v python3 >/dev/null 2>&1 || { $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null; }
  python3 -m venv tests/.venv 2>/dev/null || {
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv tests/.venv
  }
  tests/.venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]==5.*'
fi
# dbus-next: the e2e stand-in for a Herald that quits mid-handover (tests/e2e/helpers).
if ! tests/.venv/bin/python -c 'import dbus_next' 2>/dev/null; then
  echo "==> Installing dbus-next into tests/.venv"
  tests/.venv/bin/pip install --quiet --disable-pip-version-check 'dbus-next==0.2.3'
fi

TAURI_DRIVER_VERSION=2.1.0
# tauri-driver has no --version flag; ask cargo what it installed.
if ! cargo install --list 2>/dev/null | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  echo "==> Installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi

# check-jsonschema validates .github/workflows/*.yml against the GitHub workflow schema
# (scripts/test.sh). Kept in a venv of its own so it never touches the system Python.
TOOLS_VENV="${HERALD_TOOLS_VENV:-$HOME/.cache/herald-tools-venv}"
if [ ! -x "$TOOLS_VENV/bin/check-jsonschema" ]; then
  echo "==> Installing check-jsonschema into $TOOLS_VENV"
  python3 -m venv "$TOOLS_VENV"
  "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==0.39.0"
fi
