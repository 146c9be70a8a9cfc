#!/usr/bin/env bash
# Work records II at scale (issue 17): time tracking (bench/time.sh: timer start/stop, the weekly
# report over ENTRIES entries) and the ticket list (bench/tickets.sh: TICKETS tickets filtered by
# status and assignee), one after the other, each with the server pinned to core 0 and its client
# to core 1, then the job runner (bench/workflow_runs.sh: RUNS runs of a 10-step template on two
# replicas, PostgreSQL unless RUNS_BACKEND says otherwise). Prints their tables; asserts nothing.
#   BACKEND=sqlite|postgres  ENTRIES=1000000  TICKETS=1000000  RUNS=10000  bash bench/workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/time.sh
bash bench/tickets.sh
BACKEND="${RUNS_BACKEND:-postgres}" bash bench/workflow_runs.sh
