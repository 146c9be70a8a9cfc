//! The SQLite backend (rusqlite, bundled SQLite): WAL, `synchronous=FULL`, foreign keys on, a
//! busy timeout. One writer connection behind an async mutex (writes queue in-process instead of
//! spinning on `SQLITE_BUSY`) and a pool of read-only connections.
//!
//! Statements run inline on the calling task: a cached SQLite statement takes microseconds,
//! while handing it to a connection thread and back (as sqlx's SQLite driver does) cost more
//! than the query itself on a busy core. See docs/ARCHITECTURE.md, "Store".
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, ToSql};
use time::OffsetDateTime;
use tokio::sync::OwnedMutexGuard;

use crate::{Backend, PoolStats, Readiness, Result, Store, StoreError, Tx};

// ---- What this driver supplies to `sql/` (the list and the other driver: `driver/mod.rs`) ----

/// Binds values for one query: `args![a, b]` for `$1`, `$2`.
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        &[$(&$a as &(dyn rusqlite::ToSql + Sync)),*]
    };
}

// `sql/` is compiled once per backend on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "../../sql/mod.rs"]
mod sql;

// Run-time statements and members many at a time (the team list at scale).
mod bulk;

/// Serialises registrations to one address (R-AUTH-3): none needed, `BEGIN IMMEDIATE` already
/// takes the write lock before the count.
const REGISTRATION_MAIL_LOCK_SQL: Option<&str> = None;
/// SQLite searches member text with its FTS5 trigram table (`member_search`).
const FTS5: bool = true;
/// The position of a needle in a text, 0 when absent: `(haystack, needle)`.
const POSITION_FN: &str = "instr";
/// How the text-search walk is written (see `sql/member_list.rs`): SQLite merges bare
/// `UNION ALL` arms straight from their indexes and reads a subquery in `FROM` as a co-routine,
/// in the order it yields, so the arms are bare and the level that tests each row has no
/// `ORDER BY` (one would make it read the whole budget first).
const WALK_ARMS_BARE: bool = true;
/// A page without search is cut on its keys alone, from the covering list indexes, and its
/// rows read after: SQLite sorted the arms' whole rows (permissions and all) in temporary
/// b-trees, a third of the users list's time (decision 0106).
const PAGE_ARMS_NARROW: bool = true;
/// A page's statement leaves its rows in the order its inner level cut them, and they are sorted
/// here by their keys: SQLite sorted the page's 50 whole rows again in a temporary b-tree (a
/// quarter of its time on the users list, decision 0108). Text here compares as bytes, as
/// SQLite's `BINARY` collation does.
const PAGE_SORTED_HERE: bool = true;
/// The hidden row id of a table without an integer key, carried by each of its indexes: a row cut
/// from a covering index is read again by it in one seek, not through the key's own index and
/// then the table (decision 0108).
const ROW_ID: Option<&str> = Some("rowid");
/// The account's team version (migration 0031, decision 0110): triggers change it in every
/// transaction that changes what a team page shows; SQLite has one writer, so that costs no
/// contention. An account without a row reads 0.
const TEAM_VERSION_SQL: Option<&str> =
    Some("SELECT coalesce((SELECT version FROM team_versions WHERE account_id = $1), 0) AS v");
/// Rows of the name order a text search walks before it asks the trigram index (about a
/// million a second from the covering index here).
const WALK_ROWS_BY_NAME: i64 = if cfg!(feature = "small-search-walk") { 40 } else { 10_000 };
/// Contacts a text search walks in the sort's order before it asks the trigram index
/// (index-only on `contacts_by_name`, about 0.6 µs an entry; decisions 0092, 0095, 0102).
const CONTACT_WALK: i64 = 50_000;
/// The user id an audit event's text `target_id` names (NULL when it is not an id): ids are
/// 16-byte blobs here.
const USER_OF_AUDIT_TARGET: &str = "unhex(replace(e.target_id, '-', ''))";
/// "Is one of" a JSON array of text bound at `$J`.
const IN_JSON_TEXTS: &str = "IN (SELECT value FROM json_each($J))";
/// "Is one of" a JSON array of ids (text) bound at `$J`: ids are 16-byte blobs here.
const IN_JSON_UUIDS: &str = "IN (SELECT unhex(replace(value, '-', '')) FROM json_each($J))";
/// "Is one of" a JSON array of hex-encoded byte strings (token hashes) bound at `$J`.
const IN_JSON_HEX: &str = "IN (SELECT unhex(value) FROM json_each($J))";
/// The memberships in account `$1` of the users whose ids are the JSON array `$2`, with the
/// account (`m`, `a`).
const MEMBERS_OF_USERS_FROM: &str = "memberships m JOIN accounts a ON a.id = m.account_id \
     WHERE m.account_id = $1 AND m.user_id IN (SELECT unhex(replace(value, '-', '')) FROM json_each($2))";

/// "The event `e` lasts longer than a day" (unix microseconds), written as the partial indexes
/// `events_long_*` (migration 0021) are, so a query naming it may use them.
const LONG_EVENT: &str = "e.ends_at - e.starts_at > 86400000000";

type DbRow<'a> = SqlRow<'a>;

/// A row with its statement's column names, read once per statement: looking a column up by
/// name in SQLite itself (`sqlite3_column_name` per call) took a quarter of a list's time.
struct SqlRow<'a> {
    row: &'a rusqlite::Row<'a>,
    names: &'a ColumnNames,
    /// Decoders read columns mostly in order: try the one after the last first.
    next: std::cell::Cell<usize>,
}

impl SqlRow<'_> {
    fn index(&self, col: &str) -> Result<usize> {
        let hint = self.next.get();
        let i = match self.names.get(hint) {
            Some(n) if n == col => hint,
            _ => (0..self.names.len())
                .find(|&i| self.names.get(i) == Some(col))
                .ok_or_else(|| StoreError::Database(format!("no column {col} in the result")))?,
        };
        self.next.set(i + 1);
        Ok(i)
    }
}
type Args<'a> = &'a [&'a (dyn ToSql + Sync)];
/// Times are unix microseconds: integers sort and compare correctly, text would not.
type DbTime = i64;

fn to_db(t: OffsetDateTime) -> DbTime {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

fn from_db(v: DbTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// One column of a row, decoded.
fn get<T: rusqlite::types::FromSql>(r: &SqlRow<'_>, col: &str) -> Result<T> {
    Ok(r.row.get(r.index(col)?)?)
}

/// A text column read in place, without a `String` of its own.
fn with_text<T>(r: &SqlRow<'_>, col: &str, f: impl FnOnce(&str) -> T) -> Result<T> {
    let value = r.row.get_ref(r.index(col)?)?;
    Ok(f(value.as_str().map_err(|e| StoreError::Database(format!("{col}: {e}")))?))
}

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../../migrations/sqlite/0001_foundation.sql")),
    (2, "outbox", include_str!("../../../migrations/sqlite/0002_outbox.sql")),
    (3, "mail_settings", include_str!("../../../migrations/sqlite/0003_mail_settings.sql")),
    (4, "password_reset", include_str!("../../../migrations/sqlite/0004_password_reset.sql")),
    (5, "sign_in_throttle", include_str!("../../../migrations/sqlite/0005_sign_in_throttle.sql")),
    (6, "api_tokens", include_str!("../../../migrations/sqlite/0006_api_tokens.sql")),
    (7, "impersonation", include_str!("../../../migrations/sqlite/0007_impersonation.sql")),
    (8, "invitations", include_str!("../../../migrations/sqlite/0008_invitations.sql")),
    (9, "member_search", include_str!("../../../migrations/sqlite/0009_member_search.sql")),
    (10, "fewer_member_indexes", include_str!("../../../migrations/sqlite/0010_fewer_member_indexes.sql")),
    (11, "sign_in_key", include_str!("../../../migrations/sqlite/0011_sign_in_key.sql")),
    (12, "search_index", include_str!("../../../migrations/sqlite/0012_search_index.sql")),
    (13, "proved_addresses", include_str!("../../../migrations/sqlite/0013_proved_addresses.sql")),
    (14, "registration_by_proof", include_str!("../../../migrations/sqlite/0014_registration_by_proof.sql")),
    (15, "mail_secrets_and_quota", include_str!("../../../migrations/sqlite/0015_mail_secrets_and_quota.sql")),
    (16, "work_records", include_str!("../../../migrations/sqlite/0016_work_records.sql")),
    (20, "invitation_projects", include_str!("../../../migrations/sqlite/0020_invitation_projects.sql")),
    (21, "records_indexes", include_str!("../../../migrations/sqlite/0021_records_indexes.sql")),
    (22, "contact_links", include_str!("../../../migrations/sqlite/0022_contact_links.sql")),
    (23, "contacts_walk_index", include_str!("../../../migrations/sqlite/0023_contacts_walk_index.sql")),
    (24, "jobs", include_str!("../../../migrations/sqlite/0024_jobs.sql")),
    (25, "time", include_str!("../../../migrations/sqlite/0025_time.sql")),
    (26, "tickets", include_str!("../../../migrations/sqlite/0026_tickets.sql")),
    (27, "workflow_templates", include_str!("../../../migrations/sqlite/0027_workflow_templates.sql")),
    (28, "workflow_runs", include_str!("../../../migrations/sqlite/0028_workflow_runs.sql")),
    (29, "contacts_walk_index", include_str!("../../../migrations/sqlite/0029_contacts_walk_index.sql")),
    (30, "time_week_totals", include_str!("../../../migrations/sqlite/0030_time_week_totals.sql")),
    (31, "team_versions", include_str!("../../../migrations/sqlite/0031_team_versions.sql")),
];
/// `team_versions` is SQLite's alone (see [`TEAM_VERSION_SQL`]).
const SCHEMA_SHAPE_SQL: &str = "SELECT m.name AS t, p.name AS c, p.\"notnull\" AS nn \
     FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
     JOIN pragma_table_list l ON l.name = m.name AND l.schema = 'main' AND l.type = 'table' \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT IN ('schema_migrations', 'team_versions') \
     ORDER BY 1, 2";
/// Claims due emails for one worker: SQLite has one writer, so a plain UPDATE … RETURNING
/// cannot hand a row to two workers.
const CLAIM_DUE_SQL: &str = concat!(
    "UPDATE emails SET lease_until = $2 WHERE id IN (SELECT id FROM emails \
     WHERE status = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1) \
     AND ($4 OR (NOT installation_only AND account_id IN (SELECT account_id FROM account_smtp))) \
     ORDER BY next_attempt_at, id LIMIT $3) RETURNING ",
    email_cols!()
);
/// Claims jobs for runner `$2` until `$3`: due ones and running ones whose lease passed (both
/// have `due_at <= now`, one range of `jobs_claimable`). SQLite has one writer, so a plain UPDATE … RETURNING
/// cannot hand a job to two runners.
const CLAIM_JOBS_SQL: &str = concat!(
    "UPDATE jobs SET state = 'running', claimed_by = $2, lease_until = $3, due_at = $3, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE state IN ('due', 'running') AND due_at <= $1 \
     ORDER BY due_at, id LIMIT $4) RETURNING ",
    job_cols!()
);
/// Deletes up to 100 stale sign-in throttle rows (window passed, no block left). SQLite has one writer, so no
/// row can be locked by another unit of work.
const PURGE_THROTTLE_SQL: &str = "DELETE FROM sign_in_throttle WHERE throttle_key IN (SELECT throttle_key \
     FROM sign_in_throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2) LIMIT 100)";
/// The contact list indexes a random-order bulk load maintains at great cost (name, company,
/// stage, assignee's name and stage): dropped for a large `roster demo` load and built again after
/// it (decision 0102); each definition is the latest migration's.
const CONTACT_LIST_INDEXES: [(&str, &str); 5] = [
    (
        "contacts_by_name",
        "contacts (account_id, sort_name, id, sort_company, email, hidden_from_client_list, assigned_to)",
    ),
    ("contacts_by_company", "contacts (account_id, sort_company, sort_name, id)"),
    ("contacts_by_stage", "contacts (account_id, stage, sort_name, id)"),
    ("contacts_assigned_name", "contacts (account_id, assigned_to, sort_name, id)"),
    ("contacts_assigned_stage", "contacts (account_id, assigned_to, stage, sort_name, id)"),
];

/// Builds the contact list indexes that are missing (after a bulk load, or one interrupted).
fn build_contact_list_indexes(conn: &Connection) -> rusqlite::Result<()> {
    for (name, on) in CONTACT_LIST_INDEXES {
        conn.execute_batch(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"))?;
    }
    Ok(())
}

/// Idle read connections kept open; more are opened under load and closed when returned.
const IDLE_READERS: usize = 8;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // Query planner stability: plans do not depend on bound values, so a cached statement is
    // not re-prepared every time its values change (that re-parse was a quarter of a list).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(128);
    // No mmap: mapped pages count in the process's RSS, and an export must not grow it with the
    // number of members (R-EXP-1); reads in creation order stay fast through read(2).
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

/// The planner's statistics where missing or stale: at most 1,000 rows sampled per index
/// (milliseconds at a million rows); `0x10002` looks at every table, not only those this
/// connection queried.
fn optimize(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
    Ok(())
}

struct Shared {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    opened: AtomicU32,
    closed: AtomicBool,
    /// Whether the file can be written (`/readyz`, decision 0103).
    health: crate::health::StorageHealth,
}

impl Shared {
    fn take_reader(self: &Arc<Self>) -> Result<Connection> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable("the database is closed".into()));
        }
        if let Some(c) = self.readers.lock().ok().and_then(|mut r| r.pop()) {
            return Ok(c);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        configure(&conn)?;
        self.opened.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if self.closed.load(Ordering::Acquire) {
            self.opened.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        match self.readers.lock() {
            Ok(mut r) if r.len() < IDLE_READERS => r.push(conn),
            _ => {
                self.opened.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

enum Conn {
    Read {
        conn: Option<Connection>,
        shared: Arc<Shared>,
    },
    /// `None` once handed to the commit thread.
    Write {
        guard: Option<OwnedMutexGuard<Connection>>,
        open: bool,
        shared: Arc<Shared>,
    },
}

/// A unit of work on SQLite: a write transaction on the writer, or a read connection.
pub(crate) struct SqlTx {
    conn: Conn,
}

impl SqlTx {
    fn c(&self) -> Result<&Connection> {
        match &self.conn {
            Conn::Read { conn: Some(c), .. } => Ok(c),
            Conn::Read { conn: None, .. } => Err(StoreError::Unavailable("the connection was returned".into())),
            Conn::Write { guard: Some(g), .. } => Ok(g),
            Conn::Write { guard: None, .. } => Err(StoreError::Unavailable("the transaction has ended".into())),
        }
    }

    /// Notes a refused write (disk full, I/O error) for `/readyz`.
    fn noted<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(StoreError::Storage(_)) = &r {
            match &self.conn {
                Conn::Read { shared, .. } | Conn::Write { shared, .. } => shared.health.failed(),
            }
        }
        r
    }

    async fn opt<T>(
        &mut self,
        sql: &'static str,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Option<T>> {
        let r = self.opt_raw(sql, args, f).await;
        self.noted(r)
    }

    async fn all<T>(
        &mut self,
        sql: &'static str,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let r = self.all_raw(sql, args, f).await;
        self.noted(r)
    }

    async fn exec(&mut self, sql: &'static str, args: Args<'_>) -> Result<u64> {
        let r = self.exec_raw(sql, args).await;
        self.noted(r)
    }

    async fn opt_raw<T>(
        &mut self,
        sql: &'static str,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Option<T>> {
        let mut stmt = self.c()?.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        let names = column_names(&stmt);
        let mut rows = stmt.raw_query();
        match rows.next()? {
            Some(row) => Ok(Some(f(&SqlRow { row, names: &names, next: std::cell::Cell::new(0) })?)),
            None => Ok(None),
        }
    }

    async fn all_raw<T>(
        &mut self,
        sql: &'static str,
        args: Args<'_>,
        f: impl Fn(&DbRow<'_>) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let mut stmt = self.c()?.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        let names = column_names(&stmt);
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(f(&SqlRow { row, names: &names, next: std::cell::Cell::new(0) })?);
        }
        Ok(out)
    }

    async fn exec_raw(&mut self, sql: &'static str, args: Args<'_>) -> Result<u64> {
        let mut stmt = self.c()?.prepare_cached(sql)?;
        bind(&mut stmt, args)?;
        Ok(stmt.raw_execute()? as u64)
    }
}

/// A statement's column names in one string (two allocations a statement, not one a column).
struct ColumnNames {
    text: String,
    ends: Vec<usize>,
}

impl ColumnNames {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.text.get(start..end)
    }
}

fn column_names(stmt: &rusqlite::Statement<'_>) -> ColumnNames {
    let names = stmt.column_names();
    let mut text = String::with_capacity(names.iter().map(|n| n.len()).sum());
    let mut ends = Vec::with_capacity(names.len());
    for n in names {
        text.push_str(n);
        ends.push(text.len());
    }
    ColumnNames { text, ends }
}

/// Binds `$N` to `args[N-1]`. SQLite numbers parameters by first appearance, so `$3` written
/// before `$1` would otherwise take the first value.
fn bind(stmt: &mut rusqlite::Statement<'_>, args: Args<'_>) -> Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| StoreError::Database(format!("parameter {i} is not written $N")))?;
        let value = args.get(n - 1).ok_or_else(|| StoreError::Database(format!("no value for ${n}")))?;
        stmt.raw_bind_parameter(i, value)?;
    }
    Ok(())
}

impl Drop for SqlTx {
    fn drop(&mut self) {
        match &mut self.conn {
            Conn::Read { conn, shared } => {
                if let Some(c) = conn.take() {
                    shared.give_back(c);
                }
            }
            Conn::Write { guard: Some(guard), open: open @ true, .. } => {
                if let Err(e) = guard.execute_batch("ROLLBACK") {
                    tracing::warn!(error = %e, "rollback failed");
                }
                *open = false;
            }
            Conn::Write { .. } => {}
        }
    }
}

#[async_trait]
impl Tx for SqlTx {
    fn writes(&self) -> bool {
        matches!(self.conn, Conn::Write { .. })
    }

    /// `COMMIT` waits for the disk (`synchronous=FULL`): it runs on a blocking thread, not on
    /// the request threads.
    async fn commit(mut self: Box<Self>) -> Result<()> {
        if let Conn::Write { guard, open, shared } = &mut self.conn
            && let Some(g) = guard.take()
        {
            *open = false;
            let shared = shared.clone();
            // A refused COMMIT (a deferred foreign key) leaves the transaction open: end it.
            return blocking(move || {
                g.execute_batch("COMMIT").inspect_err(|_| {
                    let _ = g.execute_batch("ROLLBACK");
                })
            })
            .await
            .inspect(|()| shared.health.ok())
            .inspect_err(|e| {
                if matches!(e, StoreError::Storage(_)) {
                    shared.health.failed();
                }
            });
        }
        Ok(())
    }
}

/// Runs SQLite work that may wait (for the disk, for another process's lock) on a blocking thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> rusqlite::Result<T> + Send + 'static) -> Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(StoreError::Database(format!("a database thread failed: {e}"))),
    }
}

pub struct SqliteStore {
    shared: Arc<Shared>,
    writer: Arc<tokio::sync::Mutex<Connection>>,
}

/// The file a `sqlite:` URL names (`sqlite://path/to/db`, `sqlite:path`, `?mode=…` ignored).
fn path_of(url: &str) -> Result<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Config(format!("{url:?} names no database file; use sqlite://PATH")));
    }
    Ok(PathBuf::from(path))
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self> {
        let path = path_of(url)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let writer = Connection::open_with_flags(&path, flags)
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        configure(&writer)?;
        // The writer's page cache: up to 1 GiB (default 2 MiB), taken only as pages are used. A
        // bulk load (demo fill, import) touches every list index and the FTS5 segments at random;
        // with 2 MiB a batch spilled dirty pages to the WAL and read them back. Temporary
        // structures (statement journals, sorts) in memory, not in temporary files.
        writer.execute_batch("PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY")?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Config(format!("{} cannot use WAL (journal mode {mode})", path.display())));
        }
        let shared = Arc::new(Shared {
            path,
            readers: Mutex::new(Vec::new()),
            opened: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            health: crate::health::StorageHealth::default(),
        });
        let first = shared.take_reader()?;
        shared.give_back(first);
        Ok(Self { shared, writer: Arc::new(tokio::sync::Mutex::new(writer)) })
    }

    /// Tests: caps the file at its current size (`PRAGMA max_page_count`) on the writer, so a
    /// write that needs a new page fails as on a full disk (`SQLITE_FULL`); `false` lifts it.
    #[doc(hidden)]
    pub async fn simulate_full_disk(&self, full: bool) -> Result<()> {
        let w = self.writer().await?;
        blocking(move || {
            let pages: i64 = if full { w.query_row("PRAGMA page_count", [], |r| r.get(0))? } else { 4_294_967_294 };
            w.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
        })
        .await
    }

    async fn writer(&self) -> Result<OwnedMutexGuard<Connection>> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable("the database is closed".into()));
        }
        Ok(self.writer.clone().lock_owned().await)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front, so a read-then-write unit never
    /// deadlocks with another writer (another process, such as `roster demo`).
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let guard = self.writer().await?;
        let shared = self.shared.clone();
        // Another process may hold the write lock: wait for it (busy timeout) off the request
        // threads. The closure answers the `SqlTx` itself, so if the caller is cancelled while it
        // waits (a client hung up), the unit is dropped there and rolls back, instead of handing
        // the writer back with a transaction open.
        let tx = blocking(move || {
            if !guard.is_autocommit() {
                tracing::warn!("the SQLite writer was left inside a transaction; rolling it back");
                guard.execute_batch("ROLLBACK")?;
            }
            guard.execute_batch("BEGIN IMMEDIATE")?;
            Ok(SqlTx { conn: Conn::Write { guard: Some(guard), open: true, shared } })
        })
        .await?;
        Ok(Box::new(tx))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let conn = self.shared.take_reader()?;
        Ok(Box::new(SqlTx { conn: Conn::Read { conn: Some(conn), shared: self.shared.clone() } }))
    }

    /// Forward-only, in one `BEGIN IMMEDIATE` transaction: a second process waits for the first.
    async fn migrate(&self) -> Result<()> {
        let mut guard = self.writer().await?;
        let tx = guard.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
        )?;
        let applied: Vec<i64> = {
            let mut stmt = tx.prepare("SELECT version FROM schema_migrations")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tracing::info!(version, name, "applying migration");
            tx.execute_batch(sql).map_err(|e| StoreError::Migration { version: *version, message: e.to_string() })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                rusqlite::params![version, name],
            )?;
        }
        tx.commit()?;
        // Contacts' list indexes left out by an interrupted bulk load are built again.
        build_contact_list_indexes(&guard)?;
        optimize(&guard)
    }

    async fn contacts_bulk_load(&self, starting: bool) -> Result<()> {
        let w = self.writer().await?;
        blocking(move || {
            if starting {
                for (name, _) in CONTACT_LIST_INDEXES {
                    w.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
                }
                Ok(())
            } else {
                build_contact_list_indexes(&w)
            }
        })
        .await
    }

    async fn refresh_statistics(&self) -> Result<()> {
        optimize(&*self.writer().await?)
    }

    async fn readiness(&self) -> Readiness {
        let latest = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
        let conn = match self.shared.take_reader() {
            Ok(c) => c,
            Err(e) => return Readiness::Unreachable(e.to_string()),
        };
        let found: rusqlite::Result<Option<i64>> =
            conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0));
        self.shared.give_back(conn);
        if !matches!(found, Ok(Some(v)) if v >= latest) {
            return Readiness::NotMigrated;
        }
        match self.shared.health.failing() {
            None => Readiness::Ready,
            Some(true) => Readiness::Storage("a write was refused: the disk is full or failing".into()),
            // Long enough ago: one write of our own says whether it still is.
            Some(false) => {
                let probe = match self.writer().await {
                    Ok(w) => blocking(move || {
                        w.execute(
                            "UPDATE schema_migrations SET version = version \
                             WHERE version = (SELECT MAX(version) FROM schema_migrations)",
                            [],
                        )
                    })
                    .await
                    .map(|_| ()),
                    Err(e) => Err(e),
                };
                match probe {
                    Ok(()) => {
                        self.shared.health.ok();
                        Readiness::Ready
                    }
                    Err(e) => Readiness::Storage(e.to_string()),
                }
            }
        }
    }

    fn pool_stats(&self) -> PoolStats {
        let idle = self.shared.readers.lock().map_or(0, |r| r.len() as u32);
        let writer_idle = u32::from(self.writer.try_lock().is_ok());
        PoolStats { size: self.shared.opened.load(Ordering::Relaxed) + 1, idle: idle + writer_idle }
    }

    async fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        if let Ok(mut r) = self.shared.readers.lock() {
            r.clear();
        }
    }
}
