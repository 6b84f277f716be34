#!/usr/bin/env bash
# Sending-engine throughput against the local SES double (see crates/core/benches/sending.rs):
#   zero-latency  20,000 recipients, no rate cap          (target: >= 2,000/s)
#   rate-50       3,000 recipients at 50/s, i.e. 60 s     (target: within 2% of 50/s)
#   latency-200   20,000 recipients, 200 ms SES latency, rate 1,000/s (target: >= 950/s)
# Usage: bench/sending.sh [zero-latency|rate-50|latency-200 ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
nproc | xargs printf 'cores: %s\n'
cargo bench -p herald-core --bench sending -- "$@"
