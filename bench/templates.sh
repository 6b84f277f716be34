#!/usr/bin/env bash
# Rendering benchmark (issue 4): the prebuilt newsletter for 100,000 different contacts on
# one core, compiled path vs compiling per message. Prints the figures for docs/PERFORMANCE.md.
# Usage: bench/templates.sh [CONTACTS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export HERALD_BENCH_CONTACTS="${1:-100000}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
# The AWS SDKs are not on the render path; building them unoptimised only saves minutes.
fast_build=()
for pkg in aws-sdk-s3 aws-sdk-sesv2 aws-sdk-sts aws-sdk-sso aws-sdk-ssooidc; do
  fast_build+=(--config "profile.bench.package.$pkg.opt-level=0")
done
cargo bench -p herald-core --bench templates "${fast_build[@]}" --no-run
# One core: the render loop is single-threaded; taskset keeps it on one CPU.
runner=()
command -v taskset >/dev/null 2>&1 && runner=(taskset -c 0)
"${runner[@]}" cargo bench -p herald-core --bench templates "${fast_build[@]}"
