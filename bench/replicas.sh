#!/usr/bin/env bash
# Read scaling with replicas (issue 18): 1, 2 and 3 `roster serve` processes on one PostgreSQL,
# replica i pinned to core (i-1) mod CORES, one wrk per replica (its share of the connections)
# run at once, so the load is spread. For GET /api/v1/me and the users list of 50 (bearer token
# signed in on the first replica, read on every one), prints the reads/s of each replica count
# and where the CPU went (Roster and PostgreSQL: % of one core, summed over their processes; the
# rest is wrk's, the kernel's or idle), which says what saturates. On a 2-core machine everything shares two cores; read it as such.
# Prints a table; asserts nothing.
#   DURATION=10s CONNECTIONS=32 bash bench/replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
SECS="${DURATION%s}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18100}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
CORES=$(nproc)

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p roster-cli
BIN="$PWD/target/release/roster"
WORK="$(mktemp -d)"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done; PIDS=(); }
trap 'stop_all; rm -rf "$WORK"' EXIT
psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_replicas_bench WITH (FORCE)" -c "CREATE DATABASE roster_replicas_bench"
export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_replicas_bench" ROSTER_LOG="${ROSTER_LOG:-warn}" ROSTER_SHUTDOWN_DRAIN=0
export ROSTER_SECRET_KEY="${ROSTER_SECRET_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
ROSTER_DATA_DIR="$WORK/seed" "$BIN" demo --users 45 > "$WORK/demo.txt"
OWNER_PW="$(awk '$1 == "owner" {print $4}' "$WORK/demo.txt")"
psql -q "$ROSTER_DATABASE_URL" -c "VACUUM ANALYZE"

start() { # replicas
  for i in $(seq 1 "$1"); do
    ROSTER_DATA_DIR="$WORK/r$i" ROSTER_LISTEN="127.0.0.1:$((PORT + i))" \
      taskset -c $(((i - 1) % CORES)) "$BIN" serve > "$WORK/r$i.out" 2> "$WORK/r$i.log" &
    PIDS+=($!)
  done
  for i in $(seq 1 "$1"); do until curl -sf "http://127.0.0.1:$((PORT + i))/readyz" >/dev/null 2>&1; do sleep 0.05; done; done
}
ticks() { # summed utime+stime of the given pids, in clock ticks
  local t=0
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
HZ=$(getconf CLK_TCK)

start 1
TOKEN=$(curl -sf "http://127.0.0.1:$((PORT + 1))/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"login\":\"owner@demo.roster.example\",\"password\":\"$OWNER_PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ACCOUNT=$(curl -sf "http://127.0.0.1:$((PORT + 1))/api/v1/me" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["current_account_id"])')
stop_all

printf '\nRoster read scaling (PostgreSQL, %s cores, %s connections spread over the replicas, %s; CPU in %% of one core)\n' "$CORES" "$CONNECTIONS" "$DURATION"
printf '| route | replicas | reads/s | per replica | errors | Roster CPU | PostgreSQL CPU | left (wrk, kernel) |\n|---|---|---|---|---|---|---|---|\n'
for n in 1 2 3; do
  start "$n"
  for route in me users; do
    if [ "$route" = me ]; then path="/api/v1/me"; else path="/api/v1/accounts/$ACCOUNT/users"; fi
    per=$((CONNECTIONS / n))
    WARM=()
    for i in $(seq 1 "$n"); do
      wrk -t1 -c"$per" -d2s -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$((PORT + i))$path" >/dev/null &
      WARM+=($!)
    done
    wait "${WARM[@]}" || true
    r0=$(ticks "${PIDS[@]}")
    p0=$(ticks $(pgrep -x postgres))
    WRKS=()
    for i in $(seq 1 "$n"); do
      wrk -t1 -c"$per" -d"$DURATION" -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$((PORT + i))$path" > "$WORK/wrk$i.txt" &
      WRKS+=($!)
    done
    wait "${WRKS[@]}" || true
    r1=$(ticks "${PIDS[@]}")
    p1=$(ticks $(pgrep -x postgres))
    total=0; errors=0
    for i in $(seq 1 "$n"); do
      rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk$i.txt")
      total=$(echo "$total + $rps" | bc -l)
      errors=$((errors + $(awk '/Non-2xx/ {n=$NF} END {print n + 0}' "$WORK/wrk$i.txt")))
    done
    pct() { echo "($1) * 100 / $HZ / $SECS" | bc -l; }
    printf '| %s | %s | %.0f | %.0f | %s | %.0f %% | %.0f %% | %.0f %% |\n' "$route" "$n" "$total" "$(echo "$total / $n" | bc -l)" "$errors" \
      "$(pct "$r1 - $r0")" "$(pct "$p1 - $p0")" "$(echo "$CORES * 100 - $(pct "$r1 - $r0") - $(pct "$p1 - $p0")" | bc -l)"
  done
  stop_all
done
printf '(left: %s%% of the cores minus Roster and PostgreSQL: wrk, the kernel, idle.)\n' "$((CORES * 100))"
