#!/usr/bin/env bash
# Roster on Citus (issue 18, decision 0105). Not CI: a try on one machine.
#
# Builds Citus (tag v13.0.5, the last line for PostgreSQL 15) from a copy outside this repository
# (its AGPL source is never vendored here), starts a coordinator and two workers on this machine,
# makes a database on all three with the extension, applies Roster's migrations on the
# coordinator and then bench/citus/distribute.sql (the distribution step), checks a few queries,
# runs the store conformance suite against a one-node Citus whose template1 holds the
# distributed schema, and runs bench/users.sh against the coordinator and, for comparison,
# against a plain PostgreSQL 15 made the same way. Prints what passed.
#
# Roster as committed does not run on Citus (decision 0105): by default the try builds a copy of
# ROSTER_BASE (default HEAD; git archive into ROSTER_SRC, outside the repository) with
# bench/citus/roster.patch applied. PATCH=0 uses this checkout as it is (then expect
# "subqueries are not supported within INSERT queries").
#
#   bash bench/citus.sh                        # every step
#   STEPS="build cluster smoke" bash bench/citus.sh
#   CITUS_SRC=/path/to/citus  MIRROR=/work/.mirror/citusdata+citus/repo  CITUS_TAG=v13.0.5
#   USERS=1000000  IMPORT_ROWS=100000  SHARDS=32  SUITE_SHARDS=4  WORK=/tmp/roster-citus
#   PATCH=1  ROSTER_BASE=HEAD  ROSTER_SRC=$WORK/roster-src
#   CARGO_TARGET_DIR=DIR       where the binaries are built (default: the source's target/);
#                              every cargo and make here runs under nice -n 19
#
# Safe to re-run: each run makes its clusters afresh under $WORK and stops them on exit (trap).
# Ports: coordinator 5440, workers 5441 and 5442, the one-node Citus for the suite 5443, the
# plain PostgreSQL 5444.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STEPS="${STEPS:-build cluster migrate smoke conformance users plain}"
CITUS_TAG="${CITUS_TAG:-v13.0.5}"
MIRROR="${MIRROR:-/work/.mirror/citusdata+citus/repo}"
WORK="${WORK:-/tmp/roster-citus}"
USERS="${USERS:-1000000}"
IMPORT_ROWS="${IMPORT_ROWS:-100000}"
SHARDS="${SHARDS:-32}"
COORD=5440 W1=5441 W2=5442 SINGLE=5443 PLAIN=5444
PATCH="${PATCH:-1}"
ROSTER_BASE="${ROSTER_BASE:-HEAD}"   # the commit the patched copy is made from
SUITE_SHARDS="${SUITE_SHARDS:-4}"   # shards per table on the one-node Citus of the suite
ROSTER_SRC="${ROSTER_SRC:-$WORK/roster-src}"
DB=roster_citus
PGBIN="$(pg_config --bindir)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
NICE="nice -n 19"
RESULTS="$WORK/results.txt"

case "$WORK" in "$ROOT"|"$ROOT"/*) echo "WORK must be outside the repository" >&2; exit 2 ;; esac
mkdir -p "$WORK/log"
: > "$RESULTS"
has() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
say() { printf '%s\n' "$*" | tee -a "$RESULTS" >&2; }
# postgres runs as a non-root user when we are root.
RUNAS=()
if [ "$(id -u)" = 0 ]; then RUNAS=(runuser -u postgres --); fi
pg() { "${RUNAS[@]}" "$@"; }
q() {
  local port="$1" db="$2"; shift 2
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# ---- 1. build and install Citus ----------------------------------------------------------------
installed_version() {
  [ -f "$(pg_config --pkglibdir)/citus.so" ] && cat "$WORK/citus-installed" 2>/dev/null || true
}
if has build; then
  need=()
  for p in postgresql-server-dev-15 libkrb5-dev liblz4-dev libzstd-dev libssl-dev make gcc; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]}…" >&2
    apt-get install -y -q "${need[@]}" > "$WORK/log/apt.log" 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q "${need[@]}" > "$WORK/log/apt.log" 2>&1; }
  fi
  if [ "$(installed_version)" = "$CITUS_TAG" ]; then
    say "build: Citus $CITUS_TAG already installed ($(pg_config --pkglibdir)/citus.so)"
  else
    SRC="${CITUS_SRC:-}"
    if [ -z "$SRC" ]; then
      SRC="$WORK/src"
      rm -rf "$SRC" && mkdir -p "$SRC"
      git --git-dir="$MIRROR" archive "$CITUS_TAG" | tar -x -C "$SRC"
    fi
    start=$(date +%s)
    # gssapi.h comes from libkrb5-dev (PostgreSQL's libpq-be.h includes it); no libcurl: no
    # anonymous statistics collection.
    (cd "$SRC" && $NICE ./configure --without-libcurl > "$WORK/log/configure.log" 2>&1 \
      && $NICE make -j2 > "$WORK/log/make.log" 2>&1 && make install > "$WORK/log/install.log" 2>&1) \
      || { say "build: FAILED (see $WORK/log/)"; tail -20 "$WORK/log/make.log" >&2; exit 1; }
    echo "$CITUS_TAG" > "$WORK/citus-installed"
    say "build: Citus $CITUS_TAG built and installed in $(( $(date +%s) - start )) s"
  fi
fi

# ---- 2. clusters -------------------------------------------------------------------------------
PORTS=()
stop_all() {
  for port in "${PORTS[@]}"; do
    [ -f "$WORK/n$port/postmaster.pid" ] && pg "$PGBIN/pg_ctl" -D "$WORK/n$port" -m fast -w stop > /dev/null 2>&1 || true
  done
}
cleanup() {
  if [ "${KEEP_RUNNING:-}" = 1 ]; then
    echo "KEEP_RUNNING=1: clusters left running on ${PORTS[*]:-none}; stop with pg_ctl -D $WORK/nPORT stop" >&2
  else
    stop_all
  fi
}
trap cleanup EXIT

# node PORT [plain]: a fresh cluster with Citus preloaded (PostgreSQL's defaults otherwise, as on
# 5432), or without Citus.
node() {
  local port="$1" dir="$WORK/n$1" kind="${2:-citus}"
  [ -f "$dir/postmaster.pid" ] && pg "$PGBIN/pg_ctl" -D "$dir" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$dir" && mkdir -p "$dir" "$WORK/sock" && chown postgres "$dir" "$WORK/sock" 2>/dev/null || true
  chmod 700 "$dir"
  pg "$PGBIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$WORK/log/initdb-$port.log" 2>&1
  cat >> "$dir/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/sock'
max_connections = 200
CONF
  [ "$kind" = plain ] || cat >> "$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
citus.enable_unsafe_triggers = on
citus.shard_count = $SHARDS
# A transaction that read or wrote many shards in parallel may not then write a reference table
# (users): "cannot modify table "users" because there was a parallel operation on a distributed
# table". One connection per node for multi-shard statements avoids it (decision 0105).
citus.multi_shard_modify_mode = 'sequential'
CONF
  PORTS+=("$port")
  pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w start > /dev/null
}

# citus_db NAME: the database on the coordinator and both workers, with the extension, the
# coordinator in the metadata (so local and reference tables can meet) and the workers added.
citus_db() {
  local name="$1"
  for port in $COORD $W1 $W2; do
    [ "$name" = postgres ] || q "$port" postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
    q "$port" "$name" -c "CREATE EXTENSION citus"
  done
  q $COORD "$name" -c "SELECT citus_set_coordinator_host('127.0.0.1', $COORD)" \
    -c "SELECT citus_add_node('127.0.0.1', $W1)" -c "SELECT citus_add_node('127.0.0.1', $W2)" > /dev/null
}

# migrate_and_distribute PORT DB: Roster's migrations (plain tables on the coordinator), then the
# distribution step. The migrations run as written; distribute.sql changes what Citus refuses.
migrate_and_distribute() {
  local port="$1" name="$2"
  ROSTER_DATABASE_URL="postgres://postgres@127.0.0.1:$port/$name" ROSTER_LOG=warn "$BIN/roster" migrate \
    > "$WORK/log/migrate-$name.log" 2>&1 || { say "migrate ($name): FAILED"; cat "$WORK/log/migrate-$name.log" >&2; return 1; }
  q "$port" "$name" -f "$ROOT/bench/citus/distribute.sql" > "$WORK/log/distribute-$name.log" 2>&1 \
    || { say "distribute ($name): FAILED"; tail -15 "$WORK/log/distribute-$name.log" | tee -a "$RESULTS" >&2; return 1; }
}

# The Roster that runs: HEAD with bench/citus/roster.patch (a copy outside the repository, made
# again only when HEAD or the patch changed), or, with PATCH=0, this checkout. Release binaries
# are built only when missing or stale, in CARGO_TARGET_DIR (default: the source's target/).
BIN="$WORK/bin"
SRC_DIR="$ROOT"
if [ "$PATCH" = 1 ]; then
  SRC_DIR="$ROSTER_SRC"
  stamp="$(git -C "$ROOT" rev-parse "$ROSTER_BASE") $(sha256sum < "$ROOT/bench/citus/roster.patch" | cut -c1-16)"
  if [ "$(cat "$SRC_DIR/.roster-citus" 2>/dev/null)" != "$stamp" ]; then
    case "$SRC_DIR" in "$ROOT"|"$ROOT"/*) echo "ROSTER_SRC must be outside the repository" >&2; exit 2 ;; esac
    rm -rf "$SRC_DIR" && mkdir -p "$SRC_DIR"
    git -C "$ROOT" archive "$ROSTER_BASE" | tar -x -C "$SRC_DIR"
    (cd "$SRC_DIR" && patch -s -p1 < "$ROOT/bench/citus/roster.patch")
    echo "$stamp" > "$SRC_DIR/.roster-citus"
  fi
  TARGET="${CARGO_TARGET_DIR:-$SRC_DIR/target}"
fi
if has migrate || has smoke || has conformance || has users || has plain; then
  if [ "$PATCH" = 1 ] || [ ! -x "$TARGET/release/roster" ] || [ ! -x "$TARGET/release/users-bench" ]; then
    echo "building roster and users-bench ($SRC_DIR, $TARGET)…" >&2
    (cd "$SRC_DIR" && CARGO_TARGET_DIR="$TARGET" $NICE cargo build --release -q -p roster-cli -p roster-testkit \
      --bin roster --bin users-bench)
  fi
  mkdir -p "$BIN"
  # Copies: another build may replace the originals while we run.
  cp "$TARGET/release/roster" "$TARGET/release/users-bench" "$BIN/"
  say "roster: $([ "$PATCH" = 1 ] && echo "$(git -C "$ROOT" rev-parse --short "$ROSTER_BASE") + bench/citus/roster.patch" || echo "this checkout, unpatched")"
fi

if has cluster || has migrate || has smoke || has users; then
  start=$(date +%s)
  node $COORD; node $W1; node $W2
  citus_db postgres
  say "cluster: coordinator :$COORD, workers :$W1 :$W2 up ($(q $COORD postgres -Atc "SELECT citus_version()" | cut -d' ' -f1-2)), $(( $(date +%s) - start )) s"
fi

# ---- 3. migrations and the distribution step ---------------------------------------------------
if has migrate || has smoke; then
  citus_db "$DB"
  start=$(date +%s)
  if migrate_and_distribute $COORD "$DB"; then
    say "migrate + distribute: passed in $(( $(date +%s) - start )) s: $(q $COORD "$DB" -Atc "SELECT string_agg(citus_table_type || ' ' || n, ', ') FROM (SELECT citus_table_type, count(*) n FROM citus_tables GROUP BY 1 ORDER BY 1) t"), $(q $COORD "$DB" -Atc "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.oid NOT IN (SELECT logicalrelid FROM pg_dist_partition)") plain local"
  fi
fi

# ---- 4. smoke: the demo and a few cross-account statements ---------------------------------------
if has smoke; then
  export ROSTER_DATABASE_URL="postgres://postgres@127.0.0.1:$COORD/$DB" ROSTER_DATA_DIR="$WORK/data-smoke" ROSTER_LOG=warn
  if "$BIN/roster" demo --users 200 --contacts 2000 --projects 20 --events 500 --time-entries 2000 --tickets 200 \
       > "$WORK/log/demo-smoke.txt" 2> "$WORK/log/demo-smoke.err"; then
    say "smoke: roster demo (200 members, 2,000 contacts, projects, events, time, tickets): passed"
  else
    say "smoke: roster demo: FAILED: $(grep -m3 -iE 'error|panic' "$WORK/log/demo-smoke.err" | tr '\n' ' ' | cut -c1-400)"
  fi
  q $COORD "$DB" -f "$ROOT/bench/citus/smoke.sql" > "$WORK/log/smoke.txt" 2>&1 || true
  grep -E '^(ok|FAILED)' "$WORK/log/smoke.txt" | sed 's/^/smoke: /' | tee -a "$RESULTS" >&2 || true
  unset ROSTER_DATABASE_URL ROSTER_DATA_DIR
fi

# ---- 5. the store conformance suite --------------------------------------------------------------
# roster_testkit::db makes a database per test with CREATE DATABASE on ROSTER_TEST_PG_URL and
# runs the migrations in it. Citus 13.0 does not propagate CREATE DATABASE, and a new database
# has neither the extension, the nodes nor a distribution step. So the suite runs against a
# one-node Citus (:5443, the coordinator holds the shards) whose template1 already holds the
# migrated, distributed schema: every CREATE DATABASE copies it, migrate() finds nothing to do.
# The node is restarted after template1 is prepared, so no Citus daemon is connected to it.
if has conformance; then
  SHARDS_RUN="$SHARDS"; SHARDS="$SUITE_SHARDS"; node $SINGLE; SHARDS="$SHARDS_RUN"
  q $SINGLE template1 -c "CREATE EXTENSION citus" -c "SELECT citus_set_coordinator_host('127.0.0.1', $SINGLE)" \
    -c "SELECT citus_set_node_property('127.0.0.1', $SINGLE, 'shouldhaveshards', true)" > /dev/null
  if migrate_and_distribute $SINGLE template1; then
    pg "$PGBIN/pg_ctl" -D "$WORK/n$SINGLE" -m fast -w restart -l "$WORK/n$SINGLE/server.log" > /dev/null
    start=$(date +%s)
    set +e
    (cd "$SRC_DIR" && ROSTER_TEST_PG_URL="postgres://postgres@127.0.0.1:$SINGLE/postgres" CARGO_TARGET_DIR="$TARGET" \
      $NICE cargo test -q -p roster-store --test conformance -- --test-threads=2 > "$WORK/log/conformance.txt" 2>&1)
    set -e
    say "conformance ($(( $(date +%s) - start )) s): $(grep -E '^test result' "$WORK/log/conformance.txt" | tail -1)"
    grep -E '^    [a-z_:]+$' "$WORK/log/conformance.txt" | sed 's/^ */conformance failed: /' | tee -a "$RESULTS" >&2 || true
  fi
fi

# ---- 6. bench/users.sh against the coordinator, then against plain PostgreSQL -------------------
# Run from a copy of bench/users.sh in $WORK/root, so nothing in the repository (or its target/)
# is touched: `cargo` there is a stand-in (the binaries are copied in). On Citus, `psql` is a
# stand-in too: it turns users.sh's "DROP DATABASE …; CREATE DATABASE roster_users_bench" into
# the same on all three nodes plus the extension, the migrations and the distribution step.
# Everything else goes to psql unchanged. Same binaries, same PostgreSQL settings on both.
run_users() {
  local label="$1" port="$2" R="$WORK/root" shim="$WORK/shim-$1"
  rm -rf "$R" "$shim" && mkdir -p "$R/bench" "$R/target/release" "$shim"
  cp "$ROOT/bench/users.sh" "$R/bench/"
  cp "$BIN/roster" "$BIN/users-bench" "$R/target/release/"
  printf '#!/bin/sh\n# citus.sh: the binaries are already in target/release\nexit 0\n' > "$shim/cargo"
  if [ "$label" = citus ]; then
    cat > "$shim/psql" <<SHIM
#!/usr/bin/env bash
for a in "\$@"; do
  case "\$a" in "CREATE DATABASE roster_users_bench") exec bash "$WORK/prepare-users-db.sh" ;; esac
done
exec "$(command -v psql)" "\$@"
SHIM
    {
      declare -f q citus_db migrate_and_distribute say
      echo "PATH='$PATH' COORD=$COORD W1=$W1 W2=$W2 ROOT='$ROOT' WORK='$WORK' BIN='$BIN' RESULTS='$RESULTS'"
      echo 'start=$(date +%s); citus_db roster_users_bench && migrate_and_distribute $COORD roster_users_bench'
      echo 'echo "users.sh: roster_users_bench made on 3 nodes, migrated, distributed in $(( $(date +%s) - start )) s" >&2'
    } > "$WORK/prepare-users-db.sh"
  fi
  chmod +x "$shim"/*
  local start rc
  start=$(date +%s)
  set +e
  PATH="$shim:$PATH" BACKEND=postgres USERS="$USERS" IMPORT_ROWS="$IMPORT_ROWS" \
    PG_ADMIN="postgres://postgres@127.0.0.1:$port/postgres" bash "$R/bench/users.sh" \
    > "$WORK/log/users-$label.txt" 2> "$WORK/log/users-$label.err"
  rc=$?
  set -e
  say "users.sh on $label (:$port, USERS=$USERS) exit $rc after $(( $(date +%s) - start )) s; its output:"
  tee -a "$RESULTS" < "$WORK/log/users-$label.txt" >&2
  [ "$rc" = 0 ] || tail -15 "$WORK/log/users-$label.err" | tee -a "$RESULTS" >&2
}
if has users; then
  run_users citus $COORD
fi
if has plain; then
  stop_all
  node $PLAIN plain
  run_users plain $PLAIN
fi

printf '\n== Roster on Citus %s: summary (also in %s) ==\n' "$CITUS_TAG" "$RESULTS"
cat "$RESULTS"
