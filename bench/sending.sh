#!/usr/bin/env bash
# Sending throughput against the local SES double, end to end with real rendering (see
# crates/core/benches/sending.rs): contacts snapshotted from a tag audience, a gallery
# template compiled once by the campaign renderer and filled per recipient with the footer
# and unsubscribe link, the real SES v2 SDK over loopback HTTP, durable per-recipient state.
#   zero-latency  20,000 recipients, no rate cap          (target: >= 2,000/s on 2 cores)
#   rate-50       3,000 recipients at 50/s, i.e. 60 s     (target: within 2% of 50/s)
#   latency-200   20,000 recipients, 200 ms SES latency, rate 1,000/s (target: >= 950/s)
#   audience-1m   the live audience count on 1,000,000 contacts (tag, segment, exclusions)
# Usage: bench/sending.sh [zero-latency|rate-50|latency-200|audience-1m ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
nproc | xargs printf 'cores: %s\n'
cargo bench -p herald-core --bench sending -- "$@"
