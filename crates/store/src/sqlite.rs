//! The SQLite backend: WAL, `synchronous=FULL`, foreign keys on, a busy timeout; one writer
//! connection (writes queue in-process instead of spinning on SQLITE_BUSY) and a read pool.
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use time::OffsetDateTime;

use crate::{Backend, PoolStats, Result, Store, StoreError, Tx};

// `sql/` is compiled once per backend on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

type Db = Sqlite;
/// Times are unix microseconds: integers sort and compare correctly, text would not.
type DbTime = i64;

fn to_db(t: OffsetDateTime) -> DbTime {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

fn from_db(v: DbTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql"))];
/// `BEGIN IMMEDIATE` takes the write lock up front, so a read-then-write unit never deadlocks.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
const MIGRATION_LOCK: Option<&str> = None;
const SCHEMA_SHAPE_SQL: &str = "SELECT m.name AS t, p.name AS c, p.\"notnull\" AS nn \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations' \
     ORDER BY 1, 2";

pub struct SqliteStore {
    write: Pool<Sqlite>,
    read: Pool<Sqlite>,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self> {
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .statement_cache_capacity(256);
        // A local file does not go stale: skip the ping sqlx sends before every acquire (it is a
        // round trip to the connection's thread and cost as much as the query itself).
        let write = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone())
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2).max(4);
        let read = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(readers)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { write, read })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self.write.begin_with(BEGIN_WRITE).await?;
        Ok(Box::new(sql::SqlTx::new(sql::Conn::Tx(tx))))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let conn = self.read.acquire().await?;
        Ok(Box::new(sql::SqlTx::new(sql::Conn::Plain(conn))))
    }

    async fn migrate(&self) -> Result<()> {
        sql::migrate::run(&self.write).await
    }

    async fn ready(&self) -> bool {
        sql::migrate::is_current(&self.read).await
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.write.size() + self.read.size(),
            idle: (self.write.num_idle() + self.read.num_idle()) as u32,
        }
    }

    async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
