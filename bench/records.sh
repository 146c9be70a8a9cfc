#!/usr/bin/env bash
# The work records at scale (issue 16): seeds CONTACTS contacts in the demo account (its
# salesperson is assigned 1,000 of them) and CONTACTS in another account (roster demo
# --contacts), PROJECTS projects (the salesperson belongs to 100) and EVENTS events over a year
# round the demo members' calendars (roster demo --projects --events), then, with the server
# pinned to core 0 and the client (records-bench) on core 1, measures the salesperson's list
# (pages 1 and 20) and search, an admin's list by every sort, substring search, exact email, the
# CSV export, "all projects of this person" and a member's month of events. Prints tables;
# asserts nothing.
#   BACKEND=sqlite|postgres  CONTACTS=1000000  PROJECTS=100000  EVENTS=1000000  bash bench/records.sh
# DATA=DIR keeps the database (SQLite: in DIR; PostgreSQL: roster_records_bench, DIR holding the
# printed sign-ins) and seeds only when DIR has none, to measure the queries again without
# seeding again.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
CONTACTS="${CONTACTS:-1000000}"
PROJECTS="${PROJECTS:-100000}"
EVENTS="${EVENTS:-1000000}"
PORT="${PORT:-18082}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p roster-cli -p roster-testkit --bin roster --bin records-bench
BIN="$PWD/target/release/roster"
BENCH="$PWD/target/release/records-bench"
WORK="$(mktemp -d)"
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export ROSTER_DATA_DIR="${DATA:-$WORK/data}" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-warn}"
if [ "$BACKEND" = postgres ]; then
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_records_bench"
  if [ -z "${DATA:-}" ] || [ ! -f "$DATA/demo.txt" ]; then
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_records_bench WITH (FORCE)" -c "CREATE DATABASE roster_records_bench"
  fi
fi

mkdir -p "$ROSTER_DATA_DIR"
if [ -n "${DATA:-}" ] && [ -f "$DATA/demo.txt" ]; then
  cp "$DATA/demo.txt" "$DATA/others.txt" "$DATA/records.txt" "$WORK/" 2>/dev/null || true
  seed_ms=0
  echo "reusing the database in $DATA (seeding not measured)" >&2
else
  echo "seeding $CONTACTS + $CONTACTS contacts, $PROJECTS projects, $EVENTS events ($BACKEND)…" >&2
  start=$(date +%s%N)
  "$BIN" demo --contacts "$CONTACTS" > "$WORK/demo.txt"
  "$BIN" demo --contacts "$CONTACTS" --account others > "$WORK/others.txt"
  seed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  "$BIN" demo --projects "$PROJECTS" --events "$EVENTS" > "$WORK/records.txt"
  if [ -n "${DATA:-}" ]; then cp "$WORK/demo.txt" "$WORK/others.txt" "$WORK/records.txt" "$DATA/"; fi
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
ADMIN=$(token owner@demo.roster.example "$OWNER_PW")
SALES=$(token sales@demo.roster.example "$SALES_PW")
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $ADMIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')

printf '\nRoster records benchmark (%s, %s contacts in the account + %s in another, a salesperson with 1,000 assigned; %s projects, the salesperson in 100; %s events; server on core 0, client on core 1)\n' "$BACKEND" "$CONTACTS" "$CONTACTS" "$PROJECTS" "$EVENTS"
printf '| seeding %s contacts with roster demo (s) | %.1f | < 180 |\n' "$((CONTACTS * 2))" "$(echo "$seed_ms / 1000" | bc -l)"
grep -h "contacts/s\|projects/s\|events/s" "$WORK/demo.txt" "$WORK/others.txt" "$WORK/records.txt" | sed 's/^/| /; s/$/ | |/'
taskset -c 1 "$BENCH" "http://127.0.0.1:$PORT" "$ADMIN" "$SALES" "$ACCOUNT" "$PID"
