#!/usr/bin/env bash
# Relay intake benchmark: signed SNS notifications verified and stored per second.
# Starts the real relay in-process on loopback (see crates/relay/benches/intake.rs).
#   bench/relay.sh                         # 10,000 messages, 64 concurrent clients, 2 workers
#   RELAY_BENCH_MESSAGES=20000 bench/relay.sh
# On a machine with more cores, `taskset -c 0,1 bench/relay.sh` keeps it to 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
cargo bench -p herald-relay --bench intake "$@"
