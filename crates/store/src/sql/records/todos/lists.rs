//! To-do lists.
use roster_core::Scope;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::scope_args;
use super::{LIST_COLS, LIST_IN_SCOPE, list_from_row};
use crate::{Result, StoreError, TodoListRow};

impl SqlTx {
    pub(super) async fn insert_list_row(&mut self, scope: &Scope, row: &TodoListRow) -> Result<()> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a to-do list is added in its scope's account".into()));
        }
        self.exec(
            "INSERT INTO todo_lists (id, account_id, owner_id, name, is_default, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![row.id, row.account_id, row.owner_id, row.name, row.is_default, to_db(row.created_at)],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn list_row(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TodoListRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!("SELECT {LIST_COLS} FROM todo_lists l WHERE {LIST_IN_SCOPE} AND l.id = $4");
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], list_from_row).await?.into_iter().next())
    }

    pub(super) async fn list_rows(
        &mut self,
        scope: &Scope,
        owner: Option<Uuid>,
        after: Option<(Uuid, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoListRow>> {
        let (a, all, me) = scope_args(scope);
        let mut sql = format!("SELECT {LIST_COLS} FROM todo_lists l WHERE {LIST_IN_SCOPE}");
        if owner.is_some() {
            sql.push_str(" AND l.owner_id = $4");
        }
        if after.is_some() {
            sql.push_str(" AND (l.owner_id, l.id) > ($5, $6)");
        }
        sql.push_str(" ORDER BY l.owner_id, l.id LIMIT $7");
        let (ao, ai) = after.unwrap_or_default();
        self.all_dyn(&sql, true, args![a, all, me, owner.unwrap_or_default(), ao, ai, limit], list_from_row).await
    }

    pub(super) async fn rename_list(&mut self, scope: &Scope, id: Uuid, name: &str) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "UPDATE todo_lists SET name = $5 WHERE id IN (SELECT l.id FROM todo_lists l WHERE {LIST_IN_SCOPE} AND l.id = $4) \
             RETURNING id"
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, id, name], |r| get::<Uuid>(r, "id")).await?.len() as u64)
    }

    pub(super) async fn delete_list(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "DELETE FROM todo_lists WHERE id IN (SELECT l.id FROM todo_lists l WHERE {LIST_IN_SCOPE} AND l.id = $4 \
             AND NOT l.is_default) RETURNING id"
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], |r| get::<Uuid>(r, "id")).await?.len() as u64)
    }
}
