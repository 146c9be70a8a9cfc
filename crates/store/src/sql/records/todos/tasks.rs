//! Tasks, always through their list's scope.
use roster_core::Scope;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::scope_args;
use super::{LIST_IN_SCOPE, TODO_COLS, todo_from_row};
use crate::{Result, StoreError, TodoRow};

impl SqlTx {
    pub(super) async fn insert_todo_row(&mut self, scope: &Scope, row: &TodoRow) -> Result<u64> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a task is added in its scope's account".into()));
        }
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "INSERT INTO todos (id, account_id, list_id, title, due_on, done, done_at, project_id, contact_id, \
             assignee_id, created_by, created_at, updated_at) \
             SELECT $4, l.account_id, l.id, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM todo_lists l \
             WHERE {LIST_IN_SCOPE} AND l.id = $15 RETURNING id"
        );
        let n = self
            .all_dyn(
                &sql,
                true,
                args![
                    a,
                    all,
                    me,
                    row.id,
                    row.title,
                    row.due_on,
                    row.done,
                    row.done_at.map(to_db),
                    row.project_id,
                    row.contact_id,
                    row.assignee_id,
                    row.created_by,
                    to_db(row.created_at),
                    to_db(row.updated_at),
                    row.list_id
                ],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        Ok(n.len() as u64)
    }

    pub(super) async fn todo_row(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TodoRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT {TODO_COLS} FROM todos t JOIN todo_lists l ON l.id = t.list_id WHERE {LIST_IN_SCOPE} AND t.id = $4"
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], todo_from_row).await?.into_iter().next())
    }

    pub(super) async fn todo_rows(
        &mut self,
        scope: &Scope,
        list_id: Uuid,
        after: Option<(bool, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        let (a, all, me) = scope_args(scope);
        let cut = if after.is_some() { " AND (t.done, t.id) > ($5, $6)" } else { "" };
        let sql = format!(
            "SELECT {TODO_COLS} FROM todos t JOIN todo_lists l ON l.id = t.list_id \
             WHERE {LIST_IN_SCOPE} AND l.id = $4 AND t.list_id = $4{cut} ORDER BY t.done, t.id LIMIT $7"
        );
        let (ad, ai) = after.unwrap_or_default();
        self.all_dyn(&sql, true, args![a, all, me, list_id, ad, ai, limit], todo_from_row).await
    }

    pub(super) async fn project_todo_rows(
        &mut self,
        scope: &Scope,
        project_id: Uuid,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT {TODO_COLS} FROM todos t JOIN todo_lists l ON l.id = t.list_id \
             WHERE {LIST_IN_SCOPE} AND t.account_id = $1 AND t.project_id = $4 ORDER BY t.done, t.id LIMIT $5"
        );
        self.all_dyn(&sql, true, args![a, all, me, project_id, limit], todo_from_row).await
    }

    pub(super) async fn contact_todo_rows(
        &mut self,
        scope: &Scope,
        contact_id: Uuid,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "SELECT {TODO_COLS} FROM todos t JOIN todo_lists l ON l.id = t.list_id \
             WHERE {LIST_IN_SCOPE} AND t.account_id = $1 AND t.contact_id = $4 ORDER BY t.done, t.id LIMIT $5"
        );
        self.all_dyn(&sql, true, args![a, all, me, contact_id, limit], todo_from_row).await
    }

    pub(super) async fn update_todo_row(&mut self, scope: &Scope, row: &TodoRow) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "UPDATE todos SET title = $5, due_on = $6, done = $7, done_at = $8, project_id = $9, contact_id = $10, \
             assignee_id = $11, updated_at = $12 WHERE id IN (SELECT t.id FROM todos t JOIN todo_lists l \
             ON l.id = t.list_id WHERE {LIST_IN_SCOPE} AND t.id = $4) RETURNING id"
        );
        let n = self
            .all_dyn(
                &sql,
                true,
                args![
                    a,
                    all,
                    me,
                    row.id,
                    row.title,
                    row.due_on,
                    row.done,
                    row.done_at.map(to_db),
                    row.project_id,
                    row.contact_id,
                    row.assignee_id,
                    to_db(row.updated_at)
                ],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        Ok(n.len() as u64)
    }

    pub(super) async fn delete_todo_row(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, all, me) = scope_args(scope);
        let sql = format!(
            "DELETE FROM todos WHERE id IN (SELECT t.id FROM todos t JOIN todo_lists l ON l.id = t.list_id \
             WHERE {LIST_IN_SCOPE} AND t.id = $4) RETURNING id"
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, id], |r| get::<Uuid>(r, "id")).await?.len() as u64)
    }
}
