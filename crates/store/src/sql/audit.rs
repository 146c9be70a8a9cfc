use async_trait::async_trait;
use uuid::Uuid;

use super::driver::{SqlTx, get, to_db};
use super::{catalogued, time, uuid};
use crate::{AuditFilter, AuditRepo, AuditRow, Result};

fn audit_from_row(r: &super::DbRow<'_>) -> Result<AuditRow> {
    Ok(AuditRow {
        id: uuid(r, "id")?,
        account_id: get(r, "account_id")?,
        actor_id: get(r, "actor_id")?,
        impersonator_id: get(r, "impersonator_id")?,
        action: catalogued(r, "action", roster_core::AuditAction::parse)?,
        target_type: get(r, "target_type")?,
        target_id: get(r, "target_id")?,
        ip: get(r, "ip")?,
        details: get(r, "details")?,
        at: time(r, "at")?,
    })
}

#[async_trait]
impl AuditRepo for SqlTx {
    async fn audit_page(
        &mut self,
        account_id: Uuid,
        f: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<(AuditRow, Option<String>)>> {
        let before = f.before.unwrap_or(Uuid::max());
        self.all(
            "SELECT e.id, e.account_id, e.actor_id, e.impersonator_id, e.action, e.target_type, e.target_id, e.ip, \
             e.details, e.at, u.email AS actor_email FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.account_id = $1 AND e.id < $2 AND ($3 IS NULL OR e.actor_id = $3) \
             AND ($4 IS NULL OR e.action = $4) AND ($5 IS NULL OR e.at >= $5) AND ($6 IS NULL OR e.at < $6) \
             ORDER BY e.id DESC LIMIT $7",
            args![
                account_id,
                before,
                f.actor_id,
                f.action.map(roster_core::AuditAction::as_str),
                f.from.map(to_db),
                f.to.map(to_db),
                limit
            ],
            |r| Ok((audit_from_row(r)?, get(r, "actor_email")?)),
        )
        .await
    }

    async fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            "INSERT INTO audit_events (id, account_id, actor_id, impersonator_id, action, target_type, target_id, \
             ip, details, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                e.id,
                e.account_id,
                e.actor_id,
                e.impersonator_id,
                e.action.as_str(),
                e.target_type,
                e.target_id,
                e.ip,
                e.details,
                to_db(e.at)
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_of_account(&mut self, account_id: Uuid, limit: i64) -> Result<Vec<AuditRow>> {
        self.all(
            "SELECT id, account_id, actor_id, impersonator_id, action, target_type, target_id, ip, details, at \
             FROM audit_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
            args![account_id, limit],
            audit_from_row,
        )
        .await
    }
}
