#!/usr/bin/env bash
# Rendering benchmark (issue 4): the prebuilt newsletter for 100,000 different contacts on
# one core, compiled path vs compiling per message. Prints the figures for docs/PERFORMANCE.md.
# Usage: bench/templates.sh [CONTACTS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export HERALD_BENCH_CONTACTS="${1:-100000}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
# One core: the render loop is single-threaded; taskset keeps the OS from spreading it.
if command -v taskset >/dev/null 2>&1; then
  taskset -c 0 cargo bench -p herald-core --bench templates
else
  cargo bench -p herald-core --bench templates
fi
