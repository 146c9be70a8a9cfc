#!/usr/bin/env bash
# Memory of a running server (issue 18): resident set after start, after each load this folder
# puts on it (the users list of 50, GET /me with a bearer token, password sign-ins: argon2id
# needs 19 MiB a hash) and every 10 s for a minute after, split into anonymous memory (the
# heap: what the server holds) and file pages (its own code, shared and reclaimable). The
# server is pinned to core 0, wrk to core 1. Prints a table; asserts nothing.
#   BACKEND=sqlite|postgres  LOAD=20s  [BIN=path]  bash bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
LOAD="${LOAD:-20s}"
PORT="${PORT:-18084}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# BIN=path measures that build instead (a before/after pair).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p roster-cli
  BIN="$PWD/target/release/roster"
fi
WORK="$(mktemp -d)"
# The server drains for ROSTER_SHUTDOWN_DRAIN after SIGTERM: wait for it, so that a next run
# finds the port free.
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export ROSTER_DATA_DIR="$WORK/data" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-info}"
if [ "$BACKEND" = postgres ]; then
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_memory_bench WITH (FORCE)" -c "CREATE DATABASE roster_memory_bench"
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_memory_bench"
fi
"$BIN" demo --users 45 > "$WORK/demo.txt"
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"

taskset -c 0 "$BIN" serve > "$WORK/out.txt" 2> "$WORK/server.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.05
done
sleep 2

# rss, anonymous and file-backed resident memory, MiB.
mem() {
  awk -v label="$1" '/^Rss:/ {r=$2} /^Anonymous:/ {a=$2} END {printf "| %s | %.1f | %.1f | %.1f |\n", label, r/1024, a/1024, (r-a)/1024}' "/proc/$PID/smaps_rollup"
}
printf '\nRoster memory (%s; server on core 0, wrk on core 1; MiB; %s of each load)\n' "$BACKEND" "$LOAD"
printf '| when | resident | anonymous | file pages |\n|---|---|---|---|\n'
mem "idle, 2 s after start"
sleep 8
mem "idle, 10 s after start"
BODY="{\"login\":\"owner@demo.roster.example\",\"password\":\"$OWNER_PW\"}"
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' -d "$BODY" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $TOKEN" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')
cat > "$WORK/signin.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["content-type"] = "application/json"
LUA
# req/s, and how many answers were not 2xx.
load() {
  taskset -c 1 wrk -t1 -c"$1" -d"$LOAD" "${@:2}" |
    awk '/Requests\/sec/ {r=$2} /Non-2xx/ {n=$NF} END {printf "%s req/s, %d not 2xx", r, n}'
}

mem "after one sign-in"
rps=$(load 32 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/accounts/$ACCOUNT/users")
mem "after the users list of 50, 32 connections ($rps)"
rps=$(load 32 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me")
mem "after GET /me, 32 connections ($rps)"
rps=$(load 8 -s "$WORK/signin.lua" "http://127.0.0.1:$PORT/api/v1/auth/token")
mem "after password sign-ins, 8 connections ($rps)"
for s in 10 20 30 40 50 60; do
  sleep 10
  mem "${s} s later"
done
