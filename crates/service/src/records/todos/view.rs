//! What the API and the console show of lists and tasks.
use roster_store::{TodoListRow, TodoRow};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodoListView {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    /// The member's default list: renameable, never deleted.
    pub is_default: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<TodoListRow> for TodoListView {
    fn from(l: TodoListRow) -> Self {
        TodoListView {
            id: l.id,
            name: l.name,
            owner_id: l.owner_id,
            is_default: l.is_default,
            created_at: l.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodoListPage {
    pub items: Vec<TodoListView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodoView {
    pub id: Uuid,
    pub list_id: Uuid,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub done: bool,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<TodoRow> for TodoView {
    fn from(t: TodoRow) -> Self {
        TodoView {
            id: t.id,
            list_id: t.list_id,
            title: t.title,
            due_on: t.due_on,
            done: t.done,
            project_id: t.project_id,
            contact_id: t.contact_id,
            assignee_id: t.assignee_id,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodoPage {
    pub items: Vec<TodoView>,
    pub next_cursor: Option<String>,
}
