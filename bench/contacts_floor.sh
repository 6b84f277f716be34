#!/usr/bin/env bash
# The floor under the contacts import (issue 3). Not a test: prints figures for
# docs/PERFORMANCE.md.
#
#   bench/contacts_floor.sh [ROWS]        (default 1,000,000)
#
# Times, in one run and with the sqlite3 command-line tool only (no Herald code, no CSV
# parsing, no checks):
#   1. `sqlite3 .import` of the benchmark CSV into a plain table (the issue's reference);
#   2. from that table, into a fresh WAL database, the least any contacts import must write:
#      the contact rows with their case-insensitive unique email key, and their full-text
#      search entries (email, names, the text custom value), then the commit.
# If (2) alone takes more than twice (1), no import that keeps unique emails and search can
# meet "at most 2x sqlite3 .import", whatever it does in Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
WORK="${HERALD_BENCH_DIR:-${TMPDIR:-/tmp}/herald-bench-floor}"
mkdir -p "$WORK"
CSV="$WORK/contacts.csv"
[ -s "$CSV" ] || python3 bench/gen_contacts.py "$ROWS" "$CSV"
rm -f "$WORK/plain.db" "$WORK/floor.db" "$WORK/floor.db-wal" "$WORK/floor.db-shm"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
echo "== 1. sqlite3 .import into a plain table"
/usr/bin/time -f "sqlite3 .import: wall %e s, CPU %U s user + %S s system" \
    sqlite3 "$WORK/plain.db" ".mode csv" ".import $CSV people"

echo "== 2. the least an import writes (pure SQL, from the plain table)"
# SQLite's CLI prints "Run Time: real R user U sys S" after each statement.
sqlite3 "$WORK/floor.db" > "$WORK/floor.out" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -64000;
PRAGMA temp_store = MEMORY;
ATTACH '$WORK/plain.db' AS src;
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL, email_key TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL, last_name TEXT NOT NULL, status TEXT NOT NULL,
    source TEXT NOT NULL, import_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
-- Herald's search table (contentless_delete left out: this sqlite3 may predate it, and it
-- only adds work).
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    email, first_name, last_name, custom, content = '', detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('hashsize', 8388608);
.timer on
BEGIN;
.print contacts (rows + unique email key)
INSERT INTO contacts (email, email_key, first_name, last_name, status, source, import_id,
                      created_at, updated_at)
SELECT email, lower(email), first_name, last_name, status, 'import', 1,
       '2026-11-27T13:00:00.000Z', '2026-11-27T13:00:00.000Z' FROM src.people;
.print search entries
INSERT INTO contacts_fts (rowid, email, first_name, last_name, custom)
SELECT rowid, email, first_name, last_name, company FROM src.people;
.print commit
COMMIT;
SQL
awk '
    /^Run Time/ { if (label != "") { cpu = $6 + $8; printf "%-34s wall %6.2f s, CPU %6.2f s\n", label, $4, cpu; total += cpu; wall += $4 } label = "" ; next }
    /^(wal|contacts|search|commit)/ { if ($1 != "wal") label = $0 }
    END { printf "%-34s wall %6.2f s, CPU %6.2f s\n", "total", wall, total }
' "$WORK/floor.out"

# The CSV and the databases take about 500 MB: keep them with HERALD_BENCH_KEEP=1.
[ -n "${HERALD_BENCH_KEEP:-}" ] || rm -rf "$WORK"
