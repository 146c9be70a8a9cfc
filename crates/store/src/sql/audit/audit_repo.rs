use async_trait::async_trait;
use uuid::Uuid;

use super::super::driver::{SqlTx, USER_OF_AUDIT_TARGET, get, to_db};
use super::super::{catalogued, time, uuid};
use crate::{AuditEntry, AuditFilter, AuditPerson, AuditRepo, AuditRow, Result};

/// A person joined under the column prefix `p` (`a_`, `i_`, `t_`), when the row found one.
fn person(r: &super::super::DbRow<'_>, p: &str) -> Result<Option<AuditPerson>> {
    let email: Option<String> = get(r, &format!("{p}email"))?;
    Ok(match email {
        Some(email) => Some(AuditPerson {
            first_name: get::<Option<String>>(r, &format!("{p}first"))?.unwrap_or_default(),
            last_name: get::<Option<String>>(r, &format!("{p}last"))?.unwrap_or_default(),
            email,
        }),
        None => None,
    })
}

fn audit_from_row(r: &super::super::DbRow<'_>) -> Result<AuditRow> {
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
    async fn audit_page(&mut self, account_id: Uuid, f: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>> {
        let before = f.before.unwrap_or(Uuid::max());
        // The page's events first (the account's index, cut at the limit), then the people they
        // name, each by its primary key: one statement, at most three lookups a row.
        let sql = format!(
            "SELECT e.id, e.account_id, e.actor_id, e.impersonator_id, e.action, e.target_type, e.target_id, e.ip, \
             e.details, e.at, a.first_name AS a_first, a.last_name AS a_last, a.email AS a_email, \
             i.first_name AS i_first, i.last_name AS i_last, i.email AS i_email, \
             t.first_name AS t_first, t.last_name AS t_last, t.email AS t_email \
             FROM (SELECT * FROM audit_events e WHERE e.account_id = $1 AND e.id < $2 \
             AND ($3 IS NULL OR e.actor_id = $3) AND ($4 IS NULL OR e.action = $4) \
             AND ($5 IS NULL OR e.at >= $5) AND ($6 IS NULL OR e.at < $6) ORDER BY e.id DESC LIMIT $7) e \
             LEFT JOIN users a ON a.id = e.actor_id LEFT JOIN users i ON i.id = e.impersonator_id \
             LEFT JOIN users t ON e.target_type = 'user' AND t.id = {USER_OF_AUDIT_TARGET} \
             ORDER BY e.id DESC"
        );
        self.all_dyn(
            &sql,
            true,
            args![
                account_id,
                before,
                f.actor_id,
                f.action.map(roster_core::AuditAction::as_str),
                f.from.map(to_db),
                f.to.map(to_db),
                limit
            ],
            |r| {
                Ok(AuditEntry {
                    event: audit_from_row(r)?,
                    actor: person(r, "a_")?,
                    impersonator: person(r, "i_")?,
                    target: person(r, "t_")?,
                })
            },
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
