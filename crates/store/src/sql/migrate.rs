//! Forward-only migrations, applied in one transaction under a lock (PostgreSQL: an advisory
//! lock; SQLite: `BEGIN IMMEDIATE`), so replicas starting together apply each exactly once.
use sqlx::{Pool, Row};

use super::super::{BEGIN_WRITE, Db, MIGRATION_LOCK, MIGRATIONS};
use crate::{Result, StoreError};

const CREATE_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)";

pub(crate) async fn run(pool: &Pool<Db>) -> Result<()> {
    let mut tx = pool.begin_with(BEGIN_WRITE).await?;
    if let Some(lock) = MIGRATION_LOCK {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
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

/// The latest migration this binary knows is applied, and the database answered.
pub(crate) async fn is_current(pool: &Pool<Db>) -> bool {
    let latest = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
    let found: std::result::Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(pool).await;
    matches!(found, Ok(Some(v)) if v >= latest)
}
