#!/usr/bin/env bash
# Events and analytics benchmark (issue 6). Not a test: prints figures for docs/PERFORMANCE.md.
#
#   bench/events.sh [RECIPIENTS] [EVENTS]      (default 1,000,000 and 3,000,000)
#
# Ingest speed (SES event JSON → stored events, recipient states, running totals) in relay
# pages of 1,000, applied several at a time as the poller applies them, then the analytics
# page's data for that campaign. EVENTS_BENCH_PER_TX=N and EVENTS_BENCH_ORDER=random change
# how the events are applied (see crates/core/benches/events.rs).
# The workspace lives in a temporary folder and is removed at the end, unless
# EVENTS_BENCH_KEEP=DIR names a Herald home to keep it in (then `HERALD_HOME=DIR scripts/run.sh`
# opens it in the app).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
cargo bench -p herald-core --bench events -- "${1:-1000000}" "${2:-3000000}"
