#!/usr/bin/env bash
# The ticket list at scale (issue 17, R-TKT-1): seeds TICKETS tickets in the demo account
# (roster demo --tickets; assigned round its members, mostly closed), then, with the server
# pinned to core 0 and the client (tickets-bench) on core 1, measures an admin's list filtered by
# status and assignee (pages 1 and 20, both sorts), by one filter, unfiltered, one number, and a
# member's own tickets. Prints a table; asserts nothing.
#   BACKEND=sqlite|postgres  TICKETS=1000000  bash bench/tickets.sh
# DATA=DIR (SQLite) keeps the database in DIR and seeds only when DIR has none.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
TICKETS="${TICKETS:-1000000}"
PORT="${PORT:-18083}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p roster-cli -p roster-testkit --bin roster --bin tickets-bench
BIN="$PWD/target/release/roster"
BENCH="$PWD/target/release/tickets-bench"
WORK="$(mktemp -d)"
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export ROSTER_DATA_DIR="${DATA:-$WORK/data}" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-warn}"
if [ "$BACKEND" = postgres ]; then
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_tickets_bench"
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_tickets_bench WITH (FORCE)" -c "CREATE DATABASE roster_tickets_bench"
fi

mkdir -p "$ROSTER_DATA_DIR"
if [ -n "${DATA:-}" ] && [ -f "$DATA/demo.txt" ]; then
  cp "$DATA/demo.txt" "$DATA/tickets.txt" "$WORK/" 2>/dev/null || true
  echo "reusing the database in $DATA (seeding not measured)" >&2
else
  echo "seeding $TICKETS tickets ($BACKEND)…" >&2
  "$BIN" demo > "$WORK/demo.txt"
  "$BIN" demo --tickets "$TICKETS" > "$WORK/tickets.txt"
  if [ -n "${DATA:-}" ]; then cp "$WORK/demo.txt" "$WORK/tickets.txt" "$DATA/"; fi
fi
if [ "$BACKEND" = postgres ]; then psql -q "$ROSTER_DATABASE_URL" -c "VACUUM ANALYZE" -c "CHECKPOINT"; fi
sync
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"
CUSTOMER_PW="$(awk '$1 == "customer" {print $4}' "$WORK/demo.txt")"

taskset -c 0 "$BIN" serve > "$WORK/out.txt" 2> "$WORK/server.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
token() {
  curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
ADMIN=$(token owner@demo.roster.example "$OWNER_PW")
MEMBER=$(token customer@demo.roster.example "$CUSTOMER_PW")
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $ADMIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')

printf '\nRoster tickets benchmark (%s, %s tickets in the demo account; server on core 0, client on core 1)\n' "$BACKEND" "$TICKETS"
grep -h "tickets/s" "$WORK/tickets.txt" | sed 's/^/| /; s/$/ | |/' || true
taskset -c 1 "$BENCH" "http://127.0.0.1:$PORT" "$ADMIN" "$MEMBER" "$ACCOUNT"
