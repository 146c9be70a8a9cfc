#!/usr/bin/env bash
# The users list at a million (R-LIST-1, R-EXP-1): seeds 1,000,000 members in the demo account
# and 1,000,000 in another (roster demo), then, with the server pinned to core 0 and the client
# (users-bench) on core 1, measures exact email lookup, substring search, every sort's page 1 and
# page 1,000, the CSV export (first byte, rows/s, server RSS growth), then the import of a
# 100,000-row CSV into a third account. Prints tables; asserts nothing.
#   BACKEND=sqlite|postgres  USERS=1000000  IMPORT_ROWS=100000  bash bench/users.sh
# REUSE=1 keeps the seeded database (target/users-bench/) and uses it again on the next REUSE=1
# run, skipping the seeding (then no seeding figures are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
USERS="${USERS:-1000000}"
IMPORT_ROWS="${IMPORT_ROWS:-100000}"
PORT="${PORT:-18081}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p roster-cli -p roster-testkit --bin roster --bin users-bench
BIN="$PWD/target/release/roster"
BENCH="$PWD/target/release/users-bench"
WORK="$(mktemp -d)"
KEEP="$PWD/target/users-bench/$BACKEND"
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

DATA="$WORK/data"
SEED=1
if [ "${REUSE:-}" = 1 ]; then
  DATA="$KEEP/data"
  if [ -f "$KEEP/demo.txt" ] && { [ "$BACKEND" = postgres ] || [ -f "$DATA/roster.db" ]; }; then SEED=; fi
fi
mkdir -p "$KEEP"
export ROSTER_DATA_DIR="$DATA" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-warn}"
if [ "$BACKEND" = postgres ]; then
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_users_bench"
  if [ -n "$SEED" ]; then
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_users_bench WITH (FORCE)" -c "CREATE DATABASE roster_users_bench"
  fi
fi

if [ -n "$SEED" ]; then
  rm -rf "$DATA"
  echo "seeding $USERS + $USERS members ($BACKEND)…" >&2
  "$BIN" demo --users "$USERS" > "$WORK/demo.txt"
  "$BIN" demo --users "$USERS" --account others > "$WORK/others.txt"
  if [ "${REUSE:-}" = 1 ]; then cp "$WORK/demo.txt" "$WORK/others.txt" "$KEEP/"; fi
  # What autovacuum does after a bulk load: statistics, and the visibility map that lets
  # PostgreSQL answer from an index alone.
  if [ "$BACKEND" = postgres ]; then psql -q "$ROSTER_DATABASE_URL" -c "VACUUM ANALYZE" -c "CHECKPOINT"; fi
  # The load's writes reach the disk before anything is measured (otherwise the first import
  # competes with gigabytes of write-back).
  sync
else
  cp "$KEEP/demo.txt" "$KEEP/others.txt" "$WORK/"
  [ "$BACKEND" = sqlite ] || "$BIN" migrate > /dev/null
  echo "reusing the seeded database ($BACKEND); the seeding figures below are from its seeding" >&2
fi
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"
DEMO_RATE="$(grep -o '([0-9]* rows/s)' "$WORK/demo.txt" | tr -dc 0-9)"
OTHERS_RATE="$(grep -o '([0-9]* rows/s)' "$WORK/others.txt" | tr -dc 0-9)"

taskset -c 0 "$BIN" serve > "$WORK/out.txt" 2> "$WORK/server.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"login\":\"owner@demo.roster.example\",\"password\":\"$OWNER_PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')

SETTINGS=""
if [ "$BACKEND" = postgres ]; then
  SETTINGS=", PostgreSQL shared_buffers $(psql -Atq "$ROSTER_DATABASE_URL" -c 'SHOW shared_buffers')"
fi
printf '\nRoster users list benchmark (%s, %s members in the account + %s in another, server on core 0, client on core 1%s)\n' "$BACKEND" "$USERS" "$USERS" "$SETTINGS"
taskset -c 1 "$BENCH" "http://127.0.0.1:$PORT" "$TOKEN" "$ACCOUNT" "$PID"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

# Import: a fresh CSV of IMPORT_ROWS people into a third account (the CLI, one core).
python3 - "$IMPORT_ROWS" "$$" > "$WORK/import.csv" <<'PY'
import sys
n, run = int(sys.argv[1]), sys.argv[2]
print("email,first_name,last_name,phone,company,role")
roles = ["customer", "standard", "employee", "salesperson"]
for i in range(n):
    print(f"imported{i}.{run}@import{i % 97}.example,First{i % 311},Last{i % 997},+1 555 {i % 10000:04d},Company {i % 500},{roles[i % 4]}")
PY
"$BIN" demo --users 1 --account "imports$$" > /dev/null
start=$(date +%s%N)
taskset -c 0 "$BIN" users import "$WORK/import.csv" --account "imports$$" > "$WORK/import.txt"
import_ms=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
taskset -c 0 "$BIN" users import "$WORK/import.csv" --account "imports$$" > "$WORK/import2.txt"
reimport_ms=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
taskset -c 0 "$BIN" users export --account demo --out "$WORK/export.csv" 2> "$WORK/export.txt"

printf '\n| figure | value | target |\n|---|---|---|\n'
printf '| demo seeding rows/s (demo account / other account) | %s / %s | >= 50000 |\n' "$DEMO_RATE" "$OTHERS_RATE"
printf '| import %s new rows, whole command (rows/s) | %.0f | >= 20000 |\n' "$IMPORT_ROWS" "$(echo "$IMPORT_ROWS * 1000 / $import_ms" | bc -l)"
printf '| re-import, all unchanged (rows/s) | %.0f | |\n' "$(echo "$IMPORT_ROWS * 1000 / $reimport_ms" | bc -l)"
printf '| import says | %s |\n' "$(head -1 "$WORK/import.txt")"
printf '| roster users export says | %s |\n' "$(cat "$WORK/export.txt")"
