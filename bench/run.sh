#!/usr/bin/env bash
# Benchmarks the foundation slice: GET /api/v1/accounts/{id}/users with 50 members and GET
# /api/v1/me, each with a bearer token; on PostgreSQL also the statements and PostgreSQL CPU
# per request; the idle RSS after start and the cold start (process start -> /readyz 200); on
# SQLite the users list again from a server without the team page cache (decision 0110); on
# PostgreSQL both routes again with one token per connection (32 callers, not one), the list
# with a personal API token, and these from a server that shares no reads
# (ROSTER_SHARED_READS=false, decision 0111).
# The server is pinned to core 0, the load tool (wrk) to core 1. Prints a table; asserts nothing.
#   BACKEND=sqlite|postgres  DURATION=10s  CONNECTIONS=32  [BIN=path]  bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18080}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# BIN=path measures that build instead (a before/after pair).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p roster-cli
  BIN="$PWD/target/release/roster"
fi
WORK="$(mktemp -d)"
# PostgreSQL on this machine runs beside the load, on core 1 (PG_PIN=0 leaves it free): left
# unpinned, the kernel woke its backends on the server's core 0, where they took a third of the
# server's time (decision 0107). The affinity every postgres process had is restored at exit.
PG_PIN="${PG_PIN:-1}"
declare -A PG_AFFINITY=()
pin_postgres() {
  [ "$BACKEND" = postgres ] && [ "$PG_PIN" = 1 ] || return 0
  local p
  for p in $(pgrep -x postgres); do
    [ -n "${PG_AFFINITY[$p]:-}" ] || PG_AFFINITY[$p]=$(taskset -p "$p" 2>/dev/null | awk '{print $NF}')
    taskset -p 2 "$p" >/dev/null 2>&1 || true
  done
}
unpin_postgres() {
  local p
  for p in "${!PG_AFFINITY[@]}"; do taskset -p "${PG_AFFINITY[$p]}" "$p" >/dev/null 2>&1 || true; done
  # Backends forked while pinned inherited core 1: free them too.
  [ "${#PG_AFFINITY[@]}" -gt 0 ] && for p in $(pgrep -x postgres); do taskset -p 3 "$p" >/dev/null 2>&1 || true; done
  return 0
}
# The server drains for ROSTER_SHUTDOWN_DRAIN after SIGTERM: wait for it, so that a next run
# finds the port free.
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; unpin_postgres; rm -rf "$WORK"' EXIT

export ROSTER_DATA_DIR="$WORK/data" ROSTER_LISTEN="127.0.0.1:$PORT" ROSTER_LOG="${ROSTER_LOG:-info}"
# The server is stopped and started again here: no drain.
export ROSTER_SHUTDOWN_DRAIN="${ROSTER_SHUTDOWN_DRAIN:-0}"
if [ "$BACKEND" = postgres ]; then
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_bench WITH (FORCE)" -c "CREATE DATABASE roster_bench"
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_bench"
  # A server on PostgreSQL's own machine talks to it through its Unix socket when there is one
  # (PG_SOCKET=none keeps TCP): the loopback TCP stack cost PostgreSQL more than the query.
  PG_SOCKET="${PG_SOCKET:-/var/run/postgresql}"
  if [ "$PG_SOCKET" != none ] && [ -S "$PG_SOCKET/.s.PGSQL.5432" ]; then
    export ROSTER_DATABASE_URL="postgres://postgres@$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PG_SOCKET")/roster_bench"
  fi
fi

# Seed: the demo account (5 people) plus 45 generated members = 50 members.
"$BIN" demo --users 45 > "$WORK/demo.txt"
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"

# Cold start: process start -> /readyz answers 200.
pin_postgres
start=$(date +%s%N)
taskset -c 0 "$BIN" serve > "$WORK/out.txt" 2> "$WORK/server.log" &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.005
done
cold_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
idle_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")

TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"login\":\"owner@demo.roster.example\",\"password\":\"$OWNER_PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ACCOUNT=$(curl -sf "http://127.0.0.1:$PORT/api/v1/me" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')
URL="http://127.0.0.1:$PORT/api/v1/accounts/$ACCOUNT/users"
count=$(curl -sf "$URL" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')

cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.requests))
end
LUA
# PostgreSQL's side (BACKEND=postgres): statements run (each statement outside a transaction
# commits one; a transaction commits once) and CPU time of every postgres process, in ticks.
pg_counters() {
  [ "$BACKEND" = postgres ] || { echo "0 0"; return; }
  local x ticks=0
  x=$(psql -qtA "$ROSTER_DATABASE_URL" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
  for p in $(pgrep -x postgres); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$x $ticks"
}
HZ=$(getconf CLK_TCK)
# Requests that take turns among the tokens in $TOKENS (one a line), with the report above.
{
  cat <<'LUA'
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", nil, { ["authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] })
end
LUA
  cat "$WORK/report.lua"
} > "$WORK/tokens.lua"
# One route: warm up, then measure; prints a RESULT line plus PostgreSQL's per-request figures.
# With a second argument "tokens", the requests take turns among the tokens in $WORK/tokens.txt.
measure() {
  local auth=(-H "authorization: Bearer $TOKEN") script="$WORK/report.lua"
  if [ "${2:-}" = tokens ]; then auth=(); script="$WORK/tokens.lua"; fi
  TOKENS="$WORK/tokens.txt" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d2s "${auth[@]}" -s "$script" "$1" >/dev/null
  read -r x0 t0 < <(pg_counters)
  local out
  out=$(TOKENS="$WORK/tokens.txt" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "${auth[@]}" -s "$script" "$1" | grep '^RESULT')
  read -r x1 t1 < <(pg_counters)
  local total
  total=$(echo "$out" | awk '{print $8}')
  echo "$out $(echo "($x1 - $x0) / $total" | bc -l) $(echo "($t1 - $t0) * 1000000 / $HZ / $total" | bc -l)"
}
read -r _ rps p50 p95 p99 max errors total stmts pgcpu < <(measure "$URL")
read -r _ me_rps me_p50 me_p95 me_p99 me_max me_errors me_total me_stmts me_pgcpu < <(measure "http://127.0.0.1:$PORT/api/v1/me")
busy_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
# PostgreSQL: one token per connection (as many callers as connections), then a server that
# shares no reads (decision 0111).
if [ "$BACKEND" = postgres ]; then
  for _ in $(seq "$CONNECTIONS"); do
    curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
      -d "{\"login\":\"owner@demo.roster.example\",\"password\":\"$OWNER_PW\"}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
  done > "$WORK/tokens.txt"
  read -r _ mt_rps _ mt_p95 _ _ mt_errors mt_total mt_stmts mt_pgcpu < <(measure "$URL" tokens)
  read -r _ mtme_rps _ mtme_p95 _ _ mtme_errors mtme_total mtme_stmts mtme_pgcpu < <(measure "http://127.0.0.1:$PORT/api/v1/me" tokens)
  # A personal API token (what an integration uses; its own table and lookup).
  PERSONAL=$(curl -sf "http://127.0.0.1:$PORT/api/v1/tokens" -H "authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  read -r _ pt_rps _ pt_p95 _ _ pt_errors pt_total pt_stmts pt_pgcpu < <(TOKEN="$PERSONAL" measure "$URL")
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  ROSTER_SHARED_READS=false taskset -c 0 "$BIN" serve >> "$WORK/out.txt" 2>> "$WORK/server.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.005
  done
  pin_postgres
  read -r _ ns_rps _ ns_p95 _ _ ns_errors ns_total ns_stmts ns_pgcpu < <(measure "$URL")
  read -r _ nsme_rps _ nsme_p95 _ _ nsme_errors nsme_total nsme_stmts nsme_pgcpu < <(measure "http://127.0.0.1:$PORT/api/v1/me")
  read -r _ nspt_rps _ nspt_p95 _ _ nspt_errors nspt_total nspt_stmts nspt_pgcpu < <(TOKEN="$PERSONAL" measure "$URL")
fi
# The users list again from a server that keeps no team pages (decision 0110): what every
# request costs when the page is not kept (PostgreSQL keeps none anyway).
nocache=""
if [ "$BACKEND" = sqlite ] && [ "${ROSTER_PAGE_CACHE_MIB:-8}" != 0 ]; then
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  ROSTER_PAGE_CACHE_MIB=0 taskset -c 0 "$BIN" serve >> "$WORK/out.txt" 2>> "$WORK/server.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.005
  done
  read -r _ nc_rps _ nc_p95 _ _ nc_errors nc_total _ _ < <(measure "$URL")
  nocache="$nc_rps / $nc_p95 / $nc_errors of $nc_total"
fi

printf '\nRoster foundation benchmark (%s, %s members listed, %s connections, %s, server on core 0, wrk on core 1)\n' "$BACKEND" "$count" "$CONNECTIONS" "$DURATION"
if [ "$BACKEND" = postgres ]; then
  printf 'PostgreSQL: %s, %s\n' "$( [ "$PG_PIN" = 1 ] && echo 'pinned to core 1' || echo 'unpinned')" \
    "$(case "$ROSTER_DATABASE_URL" in postgres://postgres@%2F*) echo 'through its Unix socket' ;; *) echo 'over TCP' ;; esac)"
fi
printf '| figure | value | target |\n|---|---|---|\n'
printf '| GET users req/s | %s | >= 8000 (SQLite), >= 4000 (PostgreSQL) |\n' "$rps"
printf '| latency p50 / p95 / p99 / max (ms) | %s / %s / %s / %s | p95 <= 6 |\n' "$p50" "$p95" "$p99" "$max"
printf '| errors / requests | %s / %s | 0 |\n' "$errors" "$total"
[ -n "$nocache" ] && printf '| GET users without the page cache: req/s / p95 (ms) / errors | %s | |\n' "$nocache"
printf '| GET /me (bearer) req/s | %s | >= 12000 (PostgreSQL) |\n' "$me_rps"
printf '| /me latency p50 / p95 / p99 / max (ms) | %s / %s / %s / %s | |\n' "$me_p50" "$me_p95" "$me_p99" "$me_max"
printf '| /me errors / requests | %s / %s | 0 |\n' "$me_errors" "$me_total"
if [ "$BACKEND" = postgres ]; then
  printf '| users: statements / PostgreSQL CPU (µs) per request | %.2f / %.0f | |\n' "$stmts" "$pgcpu"
  printf '| /me: statements / PostgreSQL CPU (µs) per request | %.2f / %.0f | |\n' "$me_stmts" "$me_pgcpu"
  printf '| %s tokens taking turns: users req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$CONNECTIONS" "$mt_rps" "$mt_p95" "$mt_errors" "$mt_total" "$mt_stmts" "$mt_pgcpu"
  printf '| %s tokens taking turns: /me req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$CONNECTIONS" "$mtme_rps" "$mtme_p95" "$mtme_errors" "$mtme_total" "$mtme_stmts" "$mtme_pgcpu"
  printf '| personal API token: users req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$pt_rps" "$pt_p95" "$pt_errors" "$pt_total" "$pt_stmts" "$pt_pgcpu"
  printf '| no shared reads, personal API token: users req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$nspt_rps" "$nspt_p95" "$nspt_errors" "$nspt_total" "$nspt_stmts" "$nspt_pgcpu"
  printf '| no shared reads: users req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$ns_rps" "$ns_p95" "$ns_errors" "$ns_total" "$ns_stmts" "$ns_pgcpu"
  printf '| no shared reads: /me req/s / p95 (ms) / errors / statements / PG CPU (µs) a request | %s / %s / %s of %s / %.2f / %.0f | |\n' \
    "$nsme_rps" "$nsme_p95" "$nsme_errors" "$nsme_total" "$nsme_stmts" "$nsme_pgcpu"
fi
printf '| idle RSS after start (MB) | %.1f | <= 20 |\n' "$(echo "$idle_rss_kb / 1024" | bc -l)"
printf '| RSS after load (MB) | %.1f | <= 64 |\n' "$(echo "$busy_rss_kb / 1024" | bc -l)"
printf '| cold start to /readyz 200 (ms) | %s | <= 1000 |\n' "$cold_ms"
