//! Roster's persistence: one trait family ([`Store`], [`Tx`] and the `*Repo` traits), two
//! backends (SQLite and PostgreSQL) compiled from one body of SQL in `sql/`.
//!
//! Each backend is one driver module (`driver/sqlite/`, `driver/postgres/`) that lists what it
//! supplies (placeholders, time encoding, search, bulk writes, migrations; the table is in
//! `driver/mod.rs`) and then includes `sql/` as a child module, so the queries are written once
//! and type-checked against both drivers.
#![deny(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;

/// The outbox columns, as a literal for `concat!` (used by the shared SQL and by each backend's
/// claim query).
macro_rules! email_cols {
    () => {
        "id, account_id, template, to_addr, from_addr, reply_to, bcc, subject, text_body, html_body, \
         message_id, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, \
         installation_only, secret_sealed"
    };
}

/// The job columns, as a literal for `concat!` (the shared SQL and each backend's claim query).
macro_rules! job_cols {
    () => {
        "id, account_id, kind, payload, dedupe_key, due_at, state, attempts, lease_until, claimed_by, \
         last_error, done_at, created_at"
    };
}

mod driver;
mod error;
mod health;
pub mod model;
mod repo;
pub use driver::{postgres, sqlite};

pub use error::StoreError;
pub use health::Readiness;
pub use model::*;
pub use repo::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// How many write units bulk work (import, demo data) keeps going at once. SQLite has one
    /// writer; PostgreSQL's backend is the bottleneck of a bulk insert (index maintenance, one
    /// core each), and two batches at once ran 1.5 times as fast on two cores.
    pub fn bulk_writers(self) -> usize {
        match self {
            Backend::Sqlite => 1,
            Backend::Postgres => 2,
        }
    }

    /// How many generated records one bulk unit of work writes (`roster demo`). Random sort
    /// keys put each row of a batch on a different leaf page of every index, and SQLite's WAL
    /// writes each dirty page once per commit: 100,000 rows per commit touch those pages ten
    /// times less often than 10,000 did (decision 0092). PostgreSQL writes pages on its own
    /// schedule, and two smaller batches keep both lanes busy.
    pub fn bulk_batch_rows(self) -> u32 {
        match self {
            Backend::Sqlite => 100_000,
            Backend::Postgres => 10_000,
        }
    }
}

/// Pool figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// A database: hands out units of work and answers operational questions.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A unit of work that writes: everything in it commits together or not at all.
    async fn begin(&self) -> Result<Box<dyn Tx>>;
    /// A unit of work that only reads (no transaction on PostgreSQL, a read connection on SQLite).
    async fn read(&self) -> Result<Box<dyn Tx>>;
    /// Applies pending migrations; safe to call from several replicas at once.
    async fn migrate(&self) -> Result<()>;
    /// Refreshes the query planner's statistics where they are stale (SQLite: `PRAGMA
    /// optimize` over a bounded sample; PostgreSQL's autovacuum does it itself). Without them
    /// SQLite's planner prefers an index that serves the `ORDER BY` over a selective one: an
    /// exact email walked a million contacts (decision 0092).
    async fn refresh_statistics(&self) -> Result<()>;
    /// A large generated load of contacts (`roster demo --contacts`) begins (`true`) or ends
    /// (`false`). SQLite drops the contact list indexes whose rows arrive in random order and
    /// builds them again at the end, in one sorted pass each (decision 0102); `migrate` builds
    /// any that an interrupted load left missing. PostgreSQL: nothing.
    async fn contacts_bulk_load(&self, _starting: bool) -> Result<()> {
        Ok(())
    }
    /// Whether the database answers, every migration is applied and it can write (`/readyz`).
    async fn readiness(&self) -> Readiness;
    /// True when [`Store::readiness`] is [`Readiness::Ready`].
    async fn ready(&self) -> bool {
        self.readiness().await == Readiness::Ready
    }
    fn pool_stats(&self) -> PoolStats;
    async fn close(&self);
}

/// One unit of work. Dropping it without [`Tx::commit`] rolls everything back.
#[async_trait]
pub trait Tx:
    UserRepo
    + AccountRepo
    + SessionRepo
    + AuditRepo
    + OutboxRepo
    + JobRepo
    + MailSettingsRepo
    + PasswordResetRepo
    + ThrottleRepo
    + ApiTokenRepo
    + InvitationRepo
    + RegistrationRepo
    + MemberListRepo
    + RoleRepo
    + ErasureRepo
    + ContactRepo
    + ProjectRepo
    + TagRepo
    + TodoRepo
    + TicketRepo
    + TimeRepo
    + WorkflowTemplateRepo
    + WorkflowRunRepo
    + CalendarRepo
    + MemberRecordsRepo
    + RecordSeedRepo
    + ReminderRepo
    + SchemaRepo
    + Send
{
    async fn commit(self: Box<Self>) -> Result<()>;
    /// True for a unit that writes ([`Store::begin`]), false for a read ([`Store::read`]).
    fn writes(&self) -> bool;
}

/// What an admin may change of a member's login (all of it at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetails {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub username: Option<String>,
}

#[async_trait]
pub trait SchemaRepo {
    /// `(table, column, not_null)` of every application table, sorted: compared across backends.
    async fn schema_shape(&mut self) -> Result<Vec<(String, String, bool)>>;
}

/// Opens the database a URL names: `sqlite://path` or `postgres://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Err(StoreError::Config(format!("unsupported database URL scheme in {url:?}: use sqlite:// or postgres://")))
    }
}
