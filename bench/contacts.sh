#!/usr/bin/env bash
# Contacts benchmarks (issue 3). Not a test: prints figures for docs/PERFORMANCE.md.
#
#   bench/contacts.sh [ROWS]        (default 1,000,000)
#
# 1. Generates a ROWS-row, 10-column CSV (2 custom fields, 2 tag columns) with
#    bench/gen_contacts.py.
# 2. Times `sqlite3 FILE.db ".import"` of it into a plain table, then `herald contacts import`
#    (release build) into an empty workspace, in the same run, each under /usr/bin/time -v
#    (wall time and peak memory).
# 3. Runs the in-process bench (crates/core/benches/contacts.rs) on that workspace: the first
#    page of the list with a search term, and a segment count with three conditions (medians).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ROWS="${1:-1000000}"
WORK="${HERALD_BENCH_DIR:-${TMPDIR:-/tmp}/herald-bench}"
rm -rf "$WORK" && mkdir -p "$WORK"
CSV="$WORK/contacts.csv"

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"

echo "== build (release)"
cargo build --release -p herald-cli --quiet
HERALD="$CARGO_TARGET_DIR/release/herald"

echo "== generate $ROWS rows"
python3 bench/gen_contacts.py "$ROWS" "$CSV"
ls -l "$CSV" | awk '{print $5 " bytes"}'

measure() { # label, command...
    local label="$1"; shift
    /usr/bin/time -v "$@" > "$WORK/$label.out" 2> "$WORK/$label.time"
    local wall rss user sys
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$label.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time")
    user=$(awk -F': ' '/User time/ {print $2}' "$WORK/$label.time")
    sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/$label.time")
    echo "$label: wall $wall, user CPU $user s, system CPU $sys s, peak memory $((rss / 1024)) MiB"
}

echo "== sqlite3 .import into a plain table"
measure sqlite3_import sqlite3 "$WORK/plain.db" ".mode csv" ".import $CSV people"

echo "== herald contacts import into an empty workspace"
export HERALD_HOME="$WORK/home"
"$HERALD" workspace create Bench > /dev/null
MAPPING='{"company": "new:company:text", "score": "new:score:number", "tag_a": "tags", "tag_b": "tags"}'
# The import prints its phases on stderr (rows, search index, index rebuild, merge, commit).
HERALD_IMPORT_TIMINGS=1 measure herald_import "$HERALD" --workspace Bench --json contacts import "$CSV" --mapping "$MAPPING"
grep 'import timing' "$WORK/herald_import.time" || true
head -c 300 "$WORK/herald_import.out"; echo

echo "== list and segment timings (in-process, release)"
cargo bench -p herald-core --bench contacts --quiet -- "$HERALD_HOME/workspaces/Bench/herald.db" 51

# The CSV and the databases take about 1 GB: keep them with HERALD_BENCH_KEEP=1.
[ -n "${HERALD_BENCH_KEEP:-}" ] || rm -rf "$WORK"
