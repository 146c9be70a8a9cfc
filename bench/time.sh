#!/usr/bin/env bash
# Time tracking at scale (issue 17, R-TIME-1): seeds ENTRIES stopped time entries over two years
# round the demo members (roster demo --time-entries), then, with the server pinned to core 0
# and the client (time-bench) on core 1, measures a timer's start and stop (target p95 ≤ 5 ms)
# and the weekly report by member × project × week (target p95 ≤ 50 ms). Prints a table;
# asserts nothing.
#   BACKEND=sqlite|postgres  ENTRIES=1000000  ROUNDS=200  bash bench/time.sh
# DATA=DIR (SQLite) keeps the database in DIR and seeds only when DIR has none.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
ENTRIES="${ENTRIES:-1000000}"
ROUNDS="${ROUNDS:-200}"
PORT="${PORT:-18083}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p roster-cli -p roster-testkit --bin roster --bin time-bench
BIN="$PWD/target/release/roster"
BENCH="$PWD/target/release/time-bench"
WORK="$(mktemp -d)"
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export ROSTER_DATA_DIR="${DATA:-$WORK/data}" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-warn}"
if [ "$BACKEND" = postgres ]; then
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_time_bench"
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_time_bench WITH (FORCE)" -c "CREATE DATABASE roster_time_bench"
fi

mkdir -p "$ROSTER_DATA_DIR"
if [ -n "${DATA:-}" ] && [ -f "$DATA/demo.txt" ]; then
  cp "$DATA/demo.txt" "$DATA/time.txt" "$WORK/" 2>/dev/null || true
  echo "reusing the database in $DATA (seeding not measured)" >&2
else
  echo "seeding $ENTRIES time entries ($BACKEND)…" >&2
  "$BIN" demo > "$WORK/demo.txt"
  "$BIN" demo --projects 200 --time-entries "$ENTRIES" > "$WORK/time.txt"
  if [ -n "${DATA:-}" ]; then cp "$WORK/demo.txt" "$WORK/time.txt" "$DATA/"; fi
fi
if [ "$BACKEND" = postgres ]; then psql -q "$ROSTER_DATABASE_URL" -c "VACUUM ANALYZE" -c "CHECKPOINT"; fi
sync
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"
SALES_PW="$(awk '$1 == "salesperson" {print $4}' "$WORK/demo.txt")"

taskset -c 0 "$BIN" serve > "$WORK/out.txt" 2> "$WORK/server.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
token() {
  curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
OWNER=$(token owner@demo.roster.example "$OWNER_PW")
SALES=$(token sales@demo.roster.example "$SALES_PW")
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $OWNER" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')

printf '\nRoster time benchmark (%s, %s entries over two years; server on core 0, client on core 1)\n' "$BACKEND" "$ENTRIES"
printf '| figure | value | target |\n| --- | --- | --- |\n'
grep -h "time entries/s\|projects/s" "$WORK/time.txt" | sed 's/^/| /; s/$/ | | |/' || true
taskset -c 1 "$BENCH" "http://127.0.0.1:$PORT" "$OWNER" "$SALES" "$ACCOUNT" "$ROUNDS"
