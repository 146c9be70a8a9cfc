use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::{SqlTx, time, to_db, uuid};
use crate::{AuditRepo, AuditRow, Result};

#[async_trait]
impl AuditRepo for SqlTx {
    async fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (id, account_id, actor_id, impersonator_id, action, target_type, target_id, \
             ip, details, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.id)
        .bind(e.account_id)
        .bind(e.actor_id)
        .bind(e.impersonator_id)
        .bind(&e.action)
        .bind(&e.target_type)
        .bind(&e.target_id)
        .bind(&e.ip)
        .bind(&e.details)
        .bind(to_db(e.at))
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn audit_of_account(&mut self, account_id: Uuid, limit: i64) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT id, account_id, actor_id, impersonator_id, action, target_type, target_id, ip, details, at \
             FROM audit_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(self.c())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: uuid(r, "id")?,
                    account_id: r.try_get("account_id")?,
                    actor_id: r.try_get("actor_id")?,
                    impersonator_id: r.try_get("impersonator_id")?,
                    action: r.try_get("action")?,
                    target_type: r.try_get("target_type")?,
                    target_id: r.try_get("target_id")?,
                    ip: r.try_get("ip")?,
                    details: r.try_get("details")?,
                    at: time(r, "at")?,
                })
            })
            .collect()
    }
}
