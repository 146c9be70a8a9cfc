#!/usr/bin/env bash
# Email benchmark: enqueue cost inside a unit of work, and delivery throughput of one worker to
# a local SMTP sink. The benchmark process (store + worker) runs on core 0, the sink on core 1.
# Prints figures; asserts nothing.
#   EMAILS=2000 BACKEND=sqlite|postgres|both  bash bench/mail.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EMAILS="${EMAILS:-2000}"
BACKEND="${BACKEND:-both}"
PORT="${PORT:-12525}"
cargo build --release -q -p roster-testkit --bins
taskset -c 1 target/release/smtp-sink "$PORT" > /dev/null &
SINK=$!
trap 'kill $SINK 2>/dev/null || true' EXIT
sleep 0.3
run() { taskset -c 0 target/release/mail-bench "$1" "$EMAILS" "$PORT"; echo; }
case "$BACKEND" in
  both) run sqlite; run postgres ;;
  *) run "$BACKEND" ;;
esac
