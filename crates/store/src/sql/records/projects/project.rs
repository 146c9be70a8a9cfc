//! One project: insert, read, update, delete, and what the service checks before.
use roster_core::Scope;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::scope_args;
use super::{COLS, IN_SCOPE, project_from_row};
use crate::{ProjectRow, Result, StoreError};

impl SqlTx {
    pub(super) async fn project_row(&mut self, scope: &Scope, id: Uuid) -> Result<Option<ProjectRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!("SELECT {COLS} FROM projects p WHERE {IN_SCOPE} AND p.id = $4");
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], project_from_row).await?.into_iter().next())
    }

    pub(super) async fn insert_project_row(&mut self, scope: &Scope, row: &ProjectRow) -> Result<()> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a project is added in its scope's account".into()));
        }
        self.exec(
            "INSERT INTO projects (id, account_id, name, sort_name, contact_id, status, owner_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                row.id,
                row.account_id,
                row.name,
                row.name.to_lowercase(),
                row.contact_id,
                row.status.as_str(),
                row.owner_id,
                to_db(row.created_at),
                to_db(row.updated_at)
            ],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn update_project_row(&mut self, scope: &Scope, row: &ProjectRow) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "UPDATE projects SET name = $5, sort_name = $6, contact_id = $7, status = $8, updated_at = $9 \
             WHERE id = $4 AND id IN (SELECT p.id FROM projects p WHERE {IN_SCOPE} AND p.id = $4)"
        );
        let n = self
            .all_dyn(
                &format!("{sql} RETURNING id"),
                true,
                args![
                    a,
                    all,
                    me,
                    row.id,
                    row.name,
                    row.name.to_lowercase(),
                    row.contact_id,
                    row.status.as_str(),
                    to_db(row.updated_at)
                ],
                |r| get::<uuid::Uuid>(r, "id"),
            )
            .await?;
        Ok(n.len() as u64)
    }

    pub(super) async fn delete_project_row(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "DELETE FROM projects WHERE id = $4 AND id IN (SELECT p.id FROM projects p WHERE {IN_SCOPE} AND p.id = $4) \
             RETURNING id"
        );
        let n = self.all_dyn(&sql, true, args![a, all, me, id], |r| get::<uuid::Uuid>(r, "id")).await?;
        Ok(n.len() as u64)
    }

    pub(super) async fn admin_ids(&mut self, scope: &Scope) -> Result<Vec<Uuid>> {
        self.all(
            "SELECT m.user_id FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE m.account_id = $1 AND m.status = 'active' AND (m.role IN ('owner', 'admin') OR a.owner_id = m.user_id) \
             ORDER BY m.user_id",
            args![scope.account_id()],
            |r| get::<Uuid>(r, "user_id"),
        )
        .await
    }

    pub(super) async fn has_contact(&mut self, scope: &Scope, contact_id: Uuid) -> Result<bool> {
        Ok(self
            .opt(
                "SELECT 1 AS one FROM contacts WHERE account_id = $1 AND id = $2",
                args![scope.account_id(), contact_id],
                |r| get::<i32>(r, "one"),
            )
            .await?
            .is_some())
    }
}
