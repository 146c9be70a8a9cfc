//! The PostgreSQL backend (sqlx): one pool; several `roster serve` replicas may share the
//! database.
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::{Pool, Postgres, Row};
use time::OffsetDateTime;

use crate::error::connection_lost;
use crate::{Backend, PoolStats, Readiness, Result, Store, StoreError, Tx};

// ---- What this driver supplies to `sql/` (the list and the other driver: `driver/mod.rs`) ----

/// Binds values for one query: `args![a, b]` encodes them in order for `$1`, `$2`.
macro_rules! args {
    ($($a:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut a = sqlx::postgres::PgArguments::default();
        let r: std::result::Result<(), sqlx::error::BoxDynError> = Ok(());
        $( let r = r.and_then(|()| sqlx::Arguments::add(&mut a, &$a)); )*
        r.map(|()| a)
    }};
}

// `sql/` is compiled once per backend on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "../../sql/mod.rs"]
mod sql;

// Run-time statements and members many at a time (the team list at scale).
mod bulk;

/// PostgreSQL searches member text with a trigram GIN index (`memberships_search_account`: the
/// account, then the trigrams), not FTS5.
const FTS5: bool = false;
/// Serialises registrations to one address (R-AUTH-3): under READ COMMITTED, concurrent
/// registrations would each count the others' mails as not sent yet.
const REGISTRATION_MAIL_LOCK_SQL: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 14))");
/// The position of a needle in a text, 0 when absent: `(haystack, needle)`.
const POSITION_FN: &str = "strpos";
/// How the text-search walk is written (see `sql/member_list.rs`): PostgreSQL merges arms that
/// are each ordered and cut (a MergeAppend; bare arms it appends and sorts whole), and reads an
/// ordered subquery under a matching `ORDER BY` without sorting.
const WALK_ARMS_BARE: bool = false;
/// A page without search reads whole rows in its arms: PostgreSQL merges them in index order
/// without sorting, so reading the rows again after would only add lookups.
const PAGE_ARMS_NARROW: bool = false;
/// A page is sorted by PostgreSQL: its text sorts in the database's collation, which a byte
/// comparison here would not match.
const PAGE_SORTED_HERE: bool = false;
/// PostgreSQL rows have no stable row id: a cut row is read again by its key.
const ROW_ID: Option<&str> = None;
/// No team version here: kept by triggers, one row per account would serialise concurrent
/// writers of an account across replicas (and could deadlock them), so team pages are never
/// cached on PostgreSQL (decision 0110).
const TEAM_VERSION_SQL: Option<&str> = None;
/// Rows of the name order a text search walks before it asks the trigram index (about three
/// million a second from the covering index here).
const WALK_ROWS_BY_NAME: i64 = if cfg!(feature = "small-search-walk") { 40 } else { 30_000 };
/// Contacts a text search walks in the sort's order before it asks the trigram index
/// (an index-only walk of `contacts_by_name` (migration 0023); decisions 0092, 0095).
const CONTACT_WALK: i64 = 50_000;
/// The user id an audit event's text `target_id` names (NULL when it is not an id, so no cast
/// can fail), for an index lookup of `users`.
const USER_OF_AUDIT_TARGET: &str = "CASE WHEN e.target_id ~ \
     '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN CAST(e.target_id AS uuid) END";
/// "Is one of" a JSON array of text bound at `$J`. As `= ANY(ARRAY(…))` the planner probes the
/// index once per element; as `IN (SELECT …)` it guessed the set's size and, on an account its
/// statistics had not seen yet, scanned memberships for every import batch (seconds each).
const IN_JSON_TEXTS: &str = "= ANY(ARRAY(SELECT jsonb_array_elements_text($J::jsonb)))";
/// "Is one of" a JSON array of ids (text) bound at `$J`, one index probe per id.
const IN_JSON_UUIDS: &str = "= ANY(ARRAY(SELECT jsonb_array_elements_text($J::jsonb)::uuid))";
/// "Is one of" a JSON array of hex-encoded byte strings (token hashes) bound at `$J`, one index
/// probe per element.
const IN_JSON_HEX: &str = "= ANY(ARRAY(SELECT decode(jsonb_array_elements_text($J::jsonb), 'hex')))";
/// The memberships in account `$1` of the users whose ids are the JSON array `$2`, with the
/// account (`m`, `a`). One primary-key probe per id, whatever the statistics say: with
/// `user_id = ANY(…)`, an account filled since the last ANALYZE (estimated at one row) was
/// read whole for each batch of an import (100 ms a batch of 1,000).
const MEMBERS_OF_USERS_FROM: &str = "jsonb_array_elements_text($2::jsonb) AS l(id) CROSS JOIN LATERAL \
     (SELECT * FROM memberships m WHERE m.account_id = $1 AND m.user_id = l.id::uuid LIMIT 1) m \
     JOIN accounts a ON a.id = m.account_id";

/// "The event `e` lasts longer than a day" (`timestamptz`), written as the partial indexes
/// `events_long_*` (migration 0021) are, so a query naming it may use them.
const LONG_EVENT: &str = "e.ends_at - e.starts_at > interval '1 day'";

type DbRow<'a> = PgRow;
type Args = std::result::Result<PgArguments, sqlx::error::BoxDynError>;
type DbTime = OffsetDateTime;

/// PostgreSQL keeps microseconds (rounding); truncating here makes a value read back equal to
/// the value written, as on SQLite.
fn to_db(t: OffsetDateTime) -> DbTime {
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

fn from_db(v: DbTime) -> OffsetDateTime {
    v
}

/// One column of a row, decoded.
fn get<T>(r: &PgRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    Ok(r.try_get(col)?)
}

/// A text column read in place, without a `String` of its own.
fn with_text<T>(r: &PgRow, col: &str, f: impl FnOnce(&str) -> T) -> Result<T> {
    Ok(f(r.try_get::<&str, _>(col)?))
}

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../../migrations/postgres/0001_foundation.sql")),
    (2, "outbox", include_str!("../../../migrations/postgres/0002_outbox.sql")),
    (3, "mail_settings", include_str!("../../../migrations/postgres/0003_mail_settings.sql")),
    (4, "password_reset", include_str!("../../../migrations/postgres/0004_password_reset.sql")),
    (5, "sign_in_throttle", include_str!("../../../migrations/postgres/0005_sign_in_throttle.sql")),
    (6, "api_tokens", include_str!("../../../migrations/postgres/0006_api_tokens.sql")),
    (7, "impersonation", include_str!("../../../migrations/postgres/0007_impersonation.sql")),
    (8, "invitations", include_str!("../../../migrations/postgres/0008_invitations.sql")),
    (9, "member_search", include_str!("../../../migrations/postgres/0009_member_search.sql")),
    (10, "fewer_member_indexes", include_str!("../../../migrations/postgres/0010_fewer_member_indexes.sql")),
    (11, "sign_in_key", include_str!("../../../migrations/postgres/0011_sign_in_key.sql")),
    (12, "search_index", include_str!("../../../migrations/postgres/0012_search_index.sql")),
    (13, "proved_addresses", include_str!("../../../migrations/postgres/0013_proved_addresses.sql")),
    (14, "registration_by_proof", include_str!("../../../migrations/postgres/0014_registration_by_proof.sql")),
    (15, "mail_secrets_and_quota", include_str!("../../../migrations/postgres/0015_mail_secrets_and_quota.sql")),
    (16, "work_records", include_str!("../../../migrations/postgres/0016_work_records.sql")),
    (20, "invitation_projects", include_str!("../../../migrations/postgres/0020_invitation_projects.sql")),
    (21, "records_indexes", include_str!("../../../migrations/postgres/0021_records_indexes.sql")),
    (22, "contact_links", include_str!("../../../migrations/postgres/0022_contact_links.sql")),
    (23, "contacts_walk_index", include_str!("../../../migrations/postgres/0023_contacts_walk_index.sql")),
    (24, "jobs", include_str!("../../../migrations/postgres/0024_jobs.sql")),
    (25, "time", include_str!("../../../migrations/postgres/0025_time.sql")),
    (26, "tickets", include_str!("../../../migrations/postgres/0026_tickets.sql")),
    (27, "workflow_templates", include_str!("../../../migrations/postgres/0027_workflow_templates.sql")),
    (28, "workflow_runs", include_str!("../../../migrations/postgres/0028_workflow_runs.sql")),
    (29, "contacts_walk_index", include_str!("../../../migrations/postgres/0029_contacts_walk_index.sql")),
    (30, "time_week_totals", include_str!("../../../migrations/postgres/0030_time_week_totals.sql")),
];
const SCHEMA_SHAPE_SQL: &str = "SELECT table_name::text AS t, column_name::text AS c, (is_nullable = 'NO') AS nn \
     FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' \
     ORDER BY 1, 2";
/// Claims due emails for one worker; `SKIP LOCKED` lets replicas claim side by side without
/// ever taking the same row.
const CLAIM_DUE_SQL: &str = concat!(
    "UPDATE emails SET lease_until = $2 WHERE id IN (SELECT id FROM emails \
     WHERE status = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1) \
     AND ($4 OR (NOT installation_only AND account_id IN (SELECT account_id FROM account_smtp))) \
     ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
    email_cols!()
);
/// Claims jobs for runner `$2` until `$3`: due ones and running ones whose lease passed (both
/// have `due_at <= now`, one range of `jobs_claimable`). `SKIP LOCKED`: a row another unit of work holds (a claim, or a
/// runner completing it) is left to it, so claims never wait on each other.
const CLAIM_JOBS_SQL: &str = concat!(
    "UPDATE jobs SET state = 'running', claimed_by = $2, lease_until = $3, due_at = $3, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE state IN ('due', 'running') AND due_at <= $1 \
     ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING ",
    job_cols!()
);
/// Deletes up to 100 stale sign-in throttle rows (window passed, no block left). `SKIP LOCKED`: a row another
/// sign-in holds is left for later, so the purge never waits (and never deadlocks).
const PURGE_THROTTLE_SQL: &str = "DELETE FROM sign_in_throttle WHERE throttle_key IN (SELECT throttle_key \
     FROM sign_in_throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2) LIMIT 100 FOR UPDATE SKIP LOCKED)";

fn bound(args: Args) -> Result<PgArguments> {
    args.map_err(|e| StoreError::Database(format!("cannot encode a value: {e}")))
}

enum Conn {
    Tx(sqlx::Transaction<'static, Postgres>),
    /// A read outside a transaction, with its pool: a statement that finds its connection
    /// dropped (PostgreSQL restarted) is sent once more on a live one.
    Plain(PoolConnection<Postgres>, Pool<Postgres>),
}

/// How long a request waits for a connection before it answers 503: while PostgreSQL is down,
/// the pool's connection attempts fail until then (issue 18: fail fast, at most 1 s).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// A live connection of `pool`: idle ones that no longer answer a ping are dropped on the way
/// (after a restart every idle connection is dead), then a new one is opened.
async fn live_connection(pool: &Pool<Postgres>) -> Result<PoolConnection<Postgres>> {
    use sqlx::Connection;
    for _ in 0..=pool.size() {
        let mut conn = pool.acquire().await?;
        if conn.ping().await.is_ok() {
            return Ok(conn);
        }
        // Out of the pool's count; dropped without a goodbye on a dead socket.
        drop(conn.detach());
    }
    Err(StoreError::Unavailable("no connection to the database answers".into()))
}

/// A unit of work on PostgreSQL: a transaction, or a plain pooled connection for reads.
pub(crate) struct SqlTx {
    conn: Conn,
}

impl SqlTx {
    fn c(&mut self) -> &mut sqlx::PgConnection {
        match &mut self.conn {
            Conn::Tx(t) => t,
            Conn::Plain(p, _) => p,
        }
    }

    /// After `e` on a plain read: whether the statement may be sent again, on the live
    /// connection that now replaces the lost one. Inside a transaction never: what it did is gone.
    pub(super) async fn reconnected(&mut self, e: &sqlx::Error) -> bool {
        let Conn::Plain(_, pool) = &self.conn else { return false };
        if !connection_lost(e) {
            return false;
        }
        let pool = pool.clone();
        match live_connection(&pool).await {
            Ok(fresh) => {
                if let Conn::Plain(lost, _) = std::mem::replace(&mut self.conn, Conn::Plain(fresh, pool)) {
                    drop(lost.detach());
                }
                tracing::warn!(error = %e, "a read found its connection lost; sent again on a live one");
                true
            }
            Err(_) => false,
        }
    }

    async fn opt<T>(
        &mut self,
        sql: &'static str,
        args: Args,
        f: impl Fn(&PgRow) -> Result<T> + Send,
    ) -> Result<Option<T>> {
        let args = bound(args)?;
        let row = match sqlx::query_with(sql, args.clone()).fetch_optional(self.c()).await {
            Err(e) if self.reconnected(&e).await => sqlx::query_with(sql, args).fetch_optional(self.c()).await?,
            other => other?,
        };
        row.as_ref().map(f).transpose()
    }

    async fn all<T>(
        &mut self,
        sql: &'static str,
        args: Args,
        f: impl Fn(&PgRow) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        let args = bound(args)?;
        let rows = match sqlx::query_with(sql, args.clone()).fetch_all(self.c()).await {
            Err(e) if self.reconnected(&e).await => sqlx::query_with(sql, args).fetch_all(self.c()).await?,
            other => other?,
        };
        rows.iter().map(f).collect()
    }

    async fn exec(&mut self, sql: &'static str, args: Args) -> Result<u64> {
        Ok(sqlx::query_with(sql, bound(args)?).execute(self.c()).await?.rows_affected())
    }
}

#[async_trait]
impl Tx for SqlTx {
    fn writes(&self) -> bool {
        matches!(self.conn, Conn::Tx(_))
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        if let Conn::Tx(t) = self.conn {
            t.commit().await?;
        }
        Ok(())
    }
}

pub struct PgStore {
    pool: Pool<Postgres>,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        // No ping before each acquire: it doubled the round trips of a read. A connection the
        // server dropped fails its query (503, retried by the client) and leaves the pool.
        // No JIT: every query here is short, and a generic plan's estimate over a skewed column
        // (the projects of a member: a hundred, or 100,000 for an admin) crossed
        // `jit_above_cost` and spent 15 to 80 ms compiling (decision 0094).
        let options = url
            .parse::<sqlx::postgres::PgConnectOptions>()
            .map_err(|e| StoreError::Config(e.to_string()))?
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .test_before_acquire(false)
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| match e {
                sqlx::Error::Configuration(_) => StoreError::Config(e.to_string()),
                _ => StoreError::Unavailable(e.to_string()),
            })?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        // A `BEGIN` that finds its connection lost did nothing: begun again on a live one.
        let tx = match self.pool.begin().await {
            Err(e) if connection_lost(&e) => {
                tracing::warn!(error = %e, "a unit of work found its connection lost; begun on a live one");
                let conn = live_connection(&self.pool).await?;
                sqlx::Transaction::begin(conn, None).await?
            }
            other => other?,
        };
        Ok(Box::new(SqlTx { conn: Conn::Tx(tx) }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let conn = self.pool.acquire().await?;
        Ok(Box::new(SqlTx { conn: Conn::Plain(conn, self.pool.clone()) }))
    }

    /// Forward-only, in one transaction under an advisory lock: replicas starting together apply
    /// each migration exactly once.
    async fn refresh_statistics(&self) -> Result<()> {
        // Autovacuum analyzes changed tables on its own schedule; asked (after a bulk load, or
        // hourly), every table is sampled now (30,000 rows each at the default target).
        sqlx::raw_sql("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(72616237)").execute(&mut *tx).await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(&mut *tx).await?;
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tracing::info!(version, name, "applying migration");
            sqlx::raw_sql(*sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Migration { version: *version, message: e.to_string() })?;
            sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
                .bind(version)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn readiness(&self) -> Readiness {
        let latest = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
        // On a live connection: an idle one the server ended is not the database being down.
        let mut conn = match live_connection(&self.pool).await {
            Ok(c) => c,
            Err(e) => return Readiness::Unreachable(e.to_string()),
        };
        let found: std::result::Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(&mut *conn).await;
        match found {
            Ok(Some(v)) if v >= latest => Readiness::Ready,
            Ok(_) => Readiness::NotMigrated,
            Err(e) if connection_lost(&e) || matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => {
                Readiness::Unreachable(e.to_string())
            }
            // No `schema_migrations` yet.
            Err(_) => Readiness::NotMigrated,
        }
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats { size: self.pool.size(), idle: self.pool.num_idle() as u32 }
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
