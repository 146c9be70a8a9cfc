//! To-do lists and tasks (R-TODO-1). `Reach::Own` is "the lists I own, and their tasks".
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One to-do list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoListRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    /// The member's default list (made when they join, R-JOIN-1); never deleted.
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

/// One task of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub list_id: Uuid,
    pub title: String,
    /// ISO `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub done: bool,
    pub done_at: Option<OffsetDateTime>,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[async_trait]
pub trait TodoRepo {
    async fn insert_todo_list(&mut self, scope: &Scope, row: &TodoListRow) -> Result<()>;
    /// The list, if it is in the scope.
    async fn todo_list(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TodoListRow>>;
    /// The lists in the scope (only `owner`'s when given), by owner then creation, after the
    /// list `after` (its owner and id), at most `limit`.
    async fn todo_lists(
        &mut self,
        scope: &Scope,
        owner: Option<Uuid>,
        after: Option<(Uuid, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoListRow>>;
    /// Renames a list in the scope: rows changed.
    async fn rename_todo_list(&mut self, scope: &Scope, id: Uuid, name: &str) -> Result<u64>;
    /// Deletes a list in the scope that is not a default list (its tasks go with it): rows deleted.
    async fn delete_todo_list(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
    /// Adds a task to a list in the scope: rows inserted (0 when the list is not in it).
    async fn insert_todo(&mut self, scope: &Scope, row: &TodoRow) -> Result<u64>;
    /// The task, if its list is in the scope.
    async fn todo(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TodoRow>>;
    /// A list's tasks (open first, then by id) after `(done, id)`, at most `limit`; empty when
    /// the list is not in the scope.
    async fn todos(
        &mut self,
        scope: &Scope,
        list_id: Uuid,
        after: Option<(bool, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TodoRow>>;
    /// The tasks of a project in lists of the scope (open first), at most `limit`.
    async fn todos_of_project(&mut self, scope: &Scope, project_id: Uuid, limit: i64) -> Result<Vec<TodoRow>>;
    /// The tasks linked to a contact in lists of the scope (open first, then by id), at most
    /// `limit` (`todos_by_contact`).
    async fn todos_of_contact(&mut self, scope: &Scope, contact_id: Uuid, limit: i64) -> Result<Vec<TodoRow>>;
    /// Title, due date, done, links and assignee of a task whose list is in the scope: rows changed.
    async fn update_todo(&mut self, scope: &Scope, row: &TodoRow) -> Result<u64>;
    /// Deletes a task whose list is in the scope: rows deleted.
    async fn delete_todo(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
}
