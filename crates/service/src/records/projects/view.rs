//! What the API and the console show of a project.
use roster_core::Scope;
use roster_store::{ProjectRow, TagRow, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::Result;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagView {
    pub id: Uuid,
    pub name: String,
}

impl From<TagRow> for TagView {
    fn from(t: TagRow) -> Self {
        TagView { id: t.id, name: t.name }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: Uuid,
    pub name: String,
    pub contact_id: Option<Uuid>,
    /// active, on_hold, completed or cancelled.
    pub status: String,
    pub owner_id: Uuid,
    pub member_ids: Vec<Uuid>,
    pub tags: Vec<TagView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPage {
    pub items: Vec<ProjectView>,
    pub next_cursor: Option<String>,
    /// How many match in all, at most 10,000 (`total_capped` when more).
    pub total: i64,
    pub total_capped: bool,
}

/// The project with its members and tags, read in the same scope.
pub(crate) async fn project_view(tx: &mut dyn Tx, scope: &Scope, p: ProjectRow) -> Result<ProjectView> {
    let member_ids = tx.project_members(scope, p.id).await?;
    let tags = tx.project_tags(scope, p.id).await?.into_iter().map(TagView::from).collect();
    Ok(view_of(p, member_ids, tags))
}

/// The view of a project whose members and tags are known.
pub(crate) fn view_of(p: ProjectRow, member_ids: Vec<Uuid>, tags: Vec<TagView>) -> ProjectView {
    ProjectView {
        id: p.id,
        name: p.name,
        contact_id: p.contact_id,
        status: p.status.as_str().to_owned(),
        owner_id: p.owner_id,
        member_ids,
        tags,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}
