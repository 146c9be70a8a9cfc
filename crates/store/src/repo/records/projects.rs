//! Projects and their members and tags (R-PRJ-1). `Reach::Own` over projects is "the projects I
//! am a member of" (`project_members`), decision 0077.
use async_trait::async_trait;
use roster_core::{ProjectStatus, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, TagRow};

/// One project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub contact_id: Option<Uuid>,
    pub status: ProjectStatus,
    /// Who made it.
    pub owner_id: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What the projects list is ordered by; the id ends every order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectSort {
    /// Lower-cased name.
    #[default]
    Name,
    Created,
}

impl ProjectSort {
    pub const ALL: [ProjectSort; 2] = [ProjectSort::Name, ProjectSort::Created];

    /// The API's name (`sort=`).
    pub fn key(self) -> &'static str {
        match self {
            ProjectSort::Name => "name",
            ProjectSort::Created => "created_at",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// The position of a project in its order: `name` (lower-cased) for the name sort, `at` for
/// the creation sort, then the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectKey {
    pub name: String,
    pub at: OffsetDateTime,
    pub id: Uuid,
}

/// One page request of the projects list; every filter is inside the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectQuery {
    /// Lower-cased text found in the name.
    pub q: Option<String>,
    /// Only projects this user is a member of ("all projects of this person").
    pub member: Option<Uuid>,
    /// Only projects with this tag.
    pub tag: Option<Uuid>,
    pub status: Option<ProjectStatus>,
    pub contact_id: Option<Uuid>,
    pub sort: ProjectSort,
    pub descending: bool,
    pub after: Option<ProjectKey>,
}

#[async_trait]
pub trait ProjectRepo {
    /// Adds a project in the scope's account (`row.account_id` must be it).
    async fn insert_project(&mut self, scope: &Scope, row: &ProjectRow) -> Result<()>;
    /// The project, if it is in the scope.
    async fn project(&mut self, scope: &Scope, id: Uuid) -> Result<Option<ProjectRow>>;
    /// Name, contact and status of a project in the scope: rows changed (0 or 1).
    async fn update_project(&mut self, scope: &Scope, row: &ProjectRow) -> Result<u64>;
    /// Deletes a project in the scope (members and tags go with it): rows deleted.
    async fn delete_project(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
    /// One page of the list, with each row's position.
    async fn search_projects(
        &mut self,
        scope: &Scope,
        q: &ProjectQuery,
        limit: i64,
    ) -> Result<Vec<(ProjectRow, ProjectKey)>>;
    /// How many projects match (cursor ignored), counting at most `cap + 1`.
    async fn count_projects(&mut self, scope: &Scope, q: &ProjectQuery, cap: i64) -> Result<i64>;
    /// `(project, member)` for the projects `ids` in the scope (a page's), by project then
    /// member: a page's members in one statement.
    async fn page_project_members(&mut self, scope: &Scope, ids: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>>;
    /// `(project, tag)` for the projects `ids` in the scope, by project then tag name.
    async fn page_project_tags(&mut self, scope: &Scope, ids: &[Uuid]) -> Result<Vec<(Uuid, TagRow)>>;
    /// The names of the projects `ids` that are in the scope, in one statement.
    async fn project_names(&mut self, scope: &Scope, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>>;
    /// The members' user ids of a project in the scope (empty when it is not).
    async fn project_members(&mut self, scope: &Scope, project_id: Uuid) -> Result<Vec<Uuid>>;
    /// Replaces the members of a project in the scope; false when it is not in the scope.
    async fn set_project_members(&mut self, scope: &Scope, project_id: Uuid, user_ids: &[Uuid]) -> Result<bool>;
    /// The tags of a project in the scope, by name.
    async fn project_tags(&mut self, scope: &Scope, project_id: Uuid) -> Result<Vec<TagRow>>;
    /// Replaces the tags of a project in the scope; false when it is not in the scope.
    async fn set_project_tags(&mut self, scope: &Scope, project_id: Uuid, tag_ids: &[Uuid]) -> Result<bool>;
    /// The active members of the scope's account whose role is owner or admin, and the owner.
    async fn admin_user_ids(&mut self, scope: &Scope) -> Result<Vec<Uuid>>;
    /// Whether the scope's account has this contact (any contact: a project's client is
    /// chosen from the account's contacts).
    async fn contact_in_account(&mut self, scope: &Scope, contact_id: Uuid) -> Result<bool>;
}
