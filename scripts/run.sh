#!/usr/bin/env bash
# Installs everything and launches Herald (a debug build; pass --release for an optimised one).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh
echo "==> Building the UI"
npm --prefix ui run build --silent
echo "==> Building and starting Herald"
exec cargo run -p herald-desktop "$@"
