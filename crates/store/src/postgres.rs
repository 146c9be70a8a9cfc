//! The PostgreSQL backend: one pool; several `roster serve` replicas may share the database.
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};
use time::OffsetDateTime;

use crate::{Backend, PoolStats, Result, Store, StoreError, Tx};

// `sql/` is compiled once per backend on purpose (see the crate docs).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

type Db = Postgres;
type DbTime = OffsetDateTime;

fn to_db(t: OffsetDateTime) -> DbTime {
    t
}

fn from_db(v: DbTime) -> OffsetDateTime {
    v
}

const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "foundation", include_str!("../migrations/postgres/0001_foundation.sql"))];
const BEGIN_WRITE: &str = "BEGIN";
/// Replicas starting together apply migrations one at a time.
const MIGRATION_LOCK: Option<&str> = Some("SELECT pg_advisory_xact_lock(72616237)");
const SCHEMA_SHAPE_SQL: &str = "SELECT table_name::text AS t, column_name::text AS c, (is_nullable = 'NO') AS nn \
     FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' \
     ORDER BY 1, 2";

pub struct PgStore {
    pool: Pool<Postgres>,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
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
        let tx = self.pool.begin_with(BEGIN_WRITE).await?;
        Ok(Box::new(sql::SqlTx::new(sql::Conn::Tx(tx))))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let conn = self.pool.acquire().await?;
        Ok(Box::new(sql::SqlTx::new(sql::Conn::Plain(conn))))
    }

    async fn migrate(&self) -> Result<()> {
        sql::migrate::run(&self.pool).await
    }

    async fn ready(&self) -> bool {
        sql::migrate::is_current(&self.pool).await
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats { size: self.pool.size(), idle: self.pool.num_idle() as u32 }
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
