//! Projects, their members and tags (R-PRJ-1): the SQL. A project is in a scope when it is the
//! scope's account's and, for `Reach::Own`, the scope's user is one of its members:
//! `p.account_id = $1 AND ($2 OR EXISTS (member $3))`.
use roster_core::ProjectStatus;

use super::super::driver::get;
use super::super::{DbRow, catalogued, time, uuid};
use crate::{ProjectRow, Result};

mod list;
mod members;
mod project;

/// The scope's condition over `projects p`, with `$1, $2, $3` from `scope_args`.
pub(super) const IN_SCOPE: &str = "p.account_id = $1 AND ($2 OR EXISTS (SELECT 1 FROM project_members s \
     WHERE s.project_id = p.id AND s.user_id = $3))";

const COLS: &str =
    "p.id, p.account_id, p.name, p.sort_name, p.contact_id, p.status, p.owner_id, p.created_at, p.updated_at";

fn project_from_row(r: &DbRow<'_>) -> Result<ProjectRow> {
    Ok(ProjectRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        name: get(r, "name")?,
        contact_id: get(r, "contact_id")?,
        status: catalogued(r, "status", ProjectStatus::parse)?,
        owner_id: uuid(r, "owner_id")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[async_trait::async_trait]
impl crate::ProjectRepo for super::super::driver::SqlTx {
    async fn insert_project(&mut self, scope: &roster_core::Scope, row: &ProjectRow) -> Result<()> {
        self.insert_project_row(scope, row).await
    }
    async fn project(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<Option<ProjectRow>> {
        self.project_row(scope, id).await
    }
    async fn update_project(&mut self, scope: &roster_core::Scope, row: &ProjectRow) -> Result<u64> {
        self.update_project_row(scope, row).await
    }
    async fn delete_project(&mut self, scope: &roster_core::Scope, id: uuid::Uuid) -> Result<u64> {
        self.delete_project_row(scope, id).await
    }
    async fn search_projects(
        &mut self,
        scope: &roster_core::Scope,
        q: &crate::ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(ProjectRow, crate::ProjectKey)>> {
        self.project_page(scope, q, limit).await
    }
    async fn count_projects(&mut self, scope: &roster_core::Scope, q: &crate::ProjectQuery, cap: i64) -> Result<i64> {
        self.project_count(scope, q, cap).await
    }
    async fn page_project_members(
        &mut self,
        scope: &roster_core::Scope,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, uuid::Uuid)>> {
        self.page_member_ids(scope, ids).await
    }
    async fn page_project_tags(
        &mut self,
        scope: &roster_core::Scope,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, crate::TagRow)>> {
        self.page_tags(scope, ids).await
    }
    async fn project_names(
        &mut self,
        scope: &roster_core::Scope,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, String)>> {
        self.names_of(scope, ids).await
    }
    async fn project_members(&mut self, scope: &roster_core::Scope, project_id: uuid::Uuid) -> Result<Vec<uuid::Uuid>> {
        self.member_ids_of(scope, project_id).await
    }
    async fn set_project_members(
        &mut self,
        scope: &roster_core::Scope,
        project_id: uuid::Uuid,
        user_ids: &[uuid::Uuid],
    ) -> Result<bool> {
        self.replace_members(scope, project_id, user_ids).await
    }
    async fn project_tags(&mut self, scope: &roster_core::Scope, project_id: uuid::Uuid) -> Result<Vec<crate::TagRow>> {
        self.tags_of(scope, project_id).await
    }
    async fn set_project_tags(
        &mut self,
        scope: &roster_core::Scope,
        project_id: uuid::Uuid,
        tag_ids: &[uuid::Uuid],
    ) -> Result<bool> {
        self.replace_tags(scope, project_id, tag_ids).await
    }
    async fn admin_user_ids(&mut self, scope: &roster_core::Scope) -> Result<Vec<uuid::Uuid>> {
        self.admin_ids(scope).await
    }
    async fn contact_in_account(&mut self, scope: &roster_core::Scope, contact_id: uuid::Uuid) -> Result<bool> {
        self.has_contact(scope, contact_id).await
    }
}
