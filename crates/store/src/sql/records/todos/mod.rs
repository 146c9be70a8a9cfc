//! To-do lists and tasks (R-TODO-1): the SQL. A list is in a scope when it is the scope's
//! account's and, for `Reach::Own`, the scope's user owns it; a task is in the scope when its
//! list is.
use super::super::driver::get;
use super::super::{DbRow, opt_time, time, uuid};
use crate::{Result, TodoListRow, TodoRow};

mod lists;
mod tasks;

/// The scope's condition over `todo_lists l`, with `$1, $2, $3` from `scope_args`.
const LIST_IN_SCOPE: &str = "l.account_id = $1 AND ($2 OR l.owner_id = $3)";

const LIST_COLS: &str = "l.id, l.account_id, l.owner_id, l.name, l.is_default, l.created_at";
const TODO_COLS: &str = "t.id, t.account_id, t.list_id, t.title, t.due_on, t.done, t.done_at, t.project_id, \
     t.contact_id, t.assignee_id, t.created_by, t.created_at, t.updated_at";

fn list_from_row(r: &DbRow<'_>) -> Result<TodoListRow> {
    Ok(TodoListRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        owner_id: uuid(r, "owner_id")?,
        name: get(r, "name")?,
        is_default: get(r, "is_default")?,
        created_at: time(r, "created_at")?,
    })
}

fn todo_from_row(r: &DbRow<'_>) -> Result<TodoRow> {
    Ok(TodoRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        list_id: uuid(r, "list_id")?,
        title: get(r, "title")?,
        due_on: get(r, "due_on")?,
        done: get(r, "done")?,
        done_at: opt_time(r, "done_at")?,
        project_id: get(r, "project_id")?,
        contact_id: get(r, "contact_id")?,
        assignee_id: get(r, "assignee_id")?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[async_trait::async_trait]
impl crate::TodoRepo for super::super::driver::SqlTx {
    async fn insert_todo_list(&mut self, scope: &roster_core::Scope, row: &TodoListRow) -> Result<()> {
        self.insert_list_row(scope, row).await
    }
    async fn todo_list(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<Option<TodoListRow>> {
        self.list_row(scope, id).await
    }
    async fn todo_lists(
        &mut self,
        scope: &roster_core::Scope,
        owner: Option<uuid::Uuid>,
        after: Option<(uuid::Uuid, uuid::Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoListRow>> {
        self.list_rows(scope, owner, after, limit).await
    }
    async fn rename_todo_list(&mut self, scope: &roster_core::Scope, id: uuid::Uuid, name: &str) -> Result<u64> {
        self.rename_list(scope, id, name).await
    }
    async fn delete_todo_list(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<u64> {
        self.delete_list(scope, id).await
    }
    async fn insert_todo(&mut self, scope: &roster_core::Scope, row: &TodoRow) -> Result<u64> {
        self.insert_todo_row(scope, row).await
    }
    async fn todo(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<Option<TodoRow>> {
        self.todo_row(scope, id).await
    }
    async fn todos(
        &mut self,
        scope: &roster_core::Scope,
        list_id: uuid::Uuid,
        after: Option<(bool, uuid::Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        self.todo_rows(scope, list_id, after, limit).await
    }
    async fn todos_of_project(
        &mut self,
        scope: &roster_core::Scope,
        project_id: uuid::Uuid,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        self.project_todo_rows(scope, project_id, limit).await
    }
    async fn todos_of_contact(
        &mut self,
        scope: &roster_core::Scope,
        contact_id: uuid::Uuid,
        limit: i64,
    ) -> Result<Vec<TodoRow>> {
        self.contact_todo_rows(scope, contact_id, limit).await
    }
    async fn update_todo(&mut self, scope: &roster_core::Scope, row: &TodoRow) -> Result<u64> {
        self.update_todo_row(scope, row).await
    }
    async fn delete_todo(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<u64> {
        self.delete_todo_row(scope, id).await
    }
}
