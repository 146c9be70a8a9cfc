#!/usr/bin/env bash
# The job runner at scale (issue 17, R-WF-1): RUNS runs of a 10-step template (to-dos and events
# by turns, every step due at once) are started in the demo account (roster demo
# --workflow-runs, not measured), then two replicas of `roster serve` on the same database run
# them, replica A pinned to core 0 and replica B to core 1 (the database unpinned). Prints the
# time until every step ended, the steps/s, and the counts that show each step ran once: steps
# done, workflow.step jobs done, to-dos and events made, duplicates. Asserts nothing.
#   BACKEND=postgres|sqlite  RUNS=10000  bash bench/workflow_runs.sh
# (On SQLite the two replicas share one file and its one writer.)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-postgres}"
RUNS="${RUNS:-10000}"
PORT="${PORT:-18085}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p roster-cli --bin roster
BIN="$PWD/target/release/roster"
WORK="$(mktemp -d)"
trap '[ -n "${PIDS:-}" ] && kill $PIDS 2>/dev/null; rm -rf "$WORK"' EXIT
export ROSTER_DATA_DIR="$WORK/data" ROSTER_LOG="${ROSTER_LOG:-warn}"
mkdir -p "$ROSTER_DATA_DIR"
if [ "$BACKEND" = postgres ]; then
  export ROSTER_DATABASE_URL="${PG_ADMIN%/*}/roster_runs_bench"
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS roster_runs_bench WITH (FORCE)" -c "CREATE DATABASE roster_runs_bench"
  q() { psql -qtA "$ROSTER_DATABASE_URL" -c "$1"; }
else
  q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])' "$ROSTER_DATA_DIR/roster.db" "$1"; }
fi

echo "seeding $RUNS runs ($BACKEND)…" >&2
"$BIN" demo > "$WORK/demo.txt"
SEED_START=$(date +%s)
"$BIN" demo --workflow-runs "$RUNS" > "$WORK/runs.txt"
echo "seeded in $(( $(date +%s) - SEED_START )) s" >&2
# Only the benchmark's runs: the plain demo's own runs have steps days ahead.
BENCH_RUNS="run_id IN (SELECT id FROM workflow_runs WHERE template_name LIKE 'Benchmark plan%')"
STEPS=$(q "SELECT count(*) FROM workflow_run_steps WHERE $BENCH_RUNS")
if [ "$BACKEND" = postgres ]; then psql -q "$ROSTER_DATABASE_URL" -c "VACUUM ANALYZE"; fi

START=$(date +%s.%N)
ROSTER_LISTEN="127.0.0.1:$PORT" taskset -c 0 "$BIN" serve > "$WORK/a.out" 2> "$WORK/a.log" &
PIDS="$!"
ROSTER_LISTEN="127.0.0.1:$((PORT + 1))" taskset -c 1 "$BIN" serve > "$WORK/b.out" 2> "$WORK/b.log" &
PIDS="$PIDS $!"
while :; do
  LEFT=$(q "SELECT count(*) FROM workflow_run_steps WHERE $BENCH_RUNS AND state IN ('scheduled', 'waiting')")
  [ "$LEFT" = 0 ] && break
  sleep 0.2
done
END=$(date +%s.%N)
kill $PIDS 2>/dev/null; wait 2>/dev/null || true
PIDS=""

SECS=$(python3 -c "print(f'{$END - $START:.1f}')")
RATE=$(python3 -c "print(f'{$STEPS / ($END - $START):,.0f}')")
DONE=$(q "SELECT count(*) FROM workflow_run_steps WHERE $BENCH_RUNS AND state = 'done'")
FAILED=$(q "SELECT count(*) FROM workflow_run_steps WHERE $BENCH_RUNS AND state = 'failed'")
if [ "$BACKEND" = postgres ]; then
  JOBS=$(q "SELECT count(*) FROM jobs j JOIN workflow_run_steps s ON j.dedupe_key = s.id::text || '/0' WHERE j.kind = 'workflow.step' AND j.state = 'done' AND s.$BENCH_RUNS")
else
  JOBS=$(q "SELECT count(*) FROM jobs WHERE kind = 'workflow.step' AND state = 'done'")" (all runs)"
fi
TODOS=$(q "SELECT count(*) FROM todos WHERE title LIKE 'Benchmark step %'")
EVENTS=$(q "SELECT count(*) FROM events WHERE title LIKE 'Benchmark step %'")
DUPS=$(q "SELECT count(*) FROM (SELECT result_id FROM workflow_run_steps WHERE result_id IS NOT NULL GROUP BY result_id HAVING count(*) > 1) d")
RUNS_DONE=$(q "SELECT count(*) FROM workflow_runs WHERE template_name LIKE 'Benchmark plan%' AND state = 'done'")

printf '\nRoster workflow runner benchmark (%s; %s runs × 10 steps, all due at once; two replicas, cores 0 and 1)\n' "$BACKEND" "$RUNS"
printf '| figure | value |\n| --- | --- |\n'
printf '| steps | %s |\n| every step ended after (s, from the replicas starting) | %s |\n| steps/s | %s |\n' "$STEPS" "$SECS" "$RATE"
printf '| steps done / failed | %s / %s |\n| workflow.step jobs done (a job runs its step and those after it already due) | %s |\n' "$DONE" "$FAILED" "$JOBS"
printf '| to-dos made / events made (expected %s each) | %s / %s |\n' "$((STEPS / 2))" "$TODOS" "$EVENTS"
printf '| steps sharing one effect (duplicates) | %s |\n| runs done | %s |\n' "$DUPS" "$RUNS_DONE"
