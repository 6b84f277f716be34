#!/usr/bin/env bash
# Installs everything and runs every check Herald has: formatting, clippy, the UI's type
# check, lint and unit tests, all Rust tests, and the end-to-end suite that drives the real
# app under Xvfb with the real Secret Service and the SES emulator. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "Setting up"
scripts/setup.sh
. scripts/env.sh

step "cargo fmt --check"
cargo fmt --all --check

step "Building the UI (the app embeds ui/dist)"
npm --prefix ui run build --silent

step "Release workflow matches the GitHub Actions schema"
"${HERALD_TOOLS_VENV:-$HOME/.cache/herald-tools-venv}/bin/check-jsonschema" \
  --builtin-schema vendor.github-workflows .github/workflows/*.yml

step "UI type check, lint and unit tests"
npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Building the app and every test"
cargo build --workspace --all-targets --locked

# The ignored tests include tests/release/bundle.rs, which builds the .deb with the Tauri CLI.
step "Rust tests, the .deb bundle test and the end-to-end suite (Xvfb, Secret Service, SES emulator)"
scripts/desktop-session.sh cargo test --workspace --locked -- --include-ignored

step "Generated TypeScript bindings are committed and current"
if ! git diff --exit-code --stat -- ui/src/lib/bindings || [ -n "$(git status --porcelain -- ui/src/lib/bindings)" ]; then
  echo "ui/src/lib/bindings differs from what the Rust types generate: run cargo test and commit the result." >&2
  exit 1
fi

step "All checks passed"
