//! The projects list (R-PRJ-1): `q` (name text), `member` ("all projects of this person"),
//! `tag` (a tag id or name), `status`, `contact_id`; sort by name or created_at; keyset pages.
use roster_core::{ProjectStatus, scope};
use roster_store::{ProjectKey, ProjectQuery, ProjectSort};
use time::OffsetDateTime;
use uuid::Uuid;

use super::view::{ProjectPage, ProjectView, TagView, project_view, view_of};
use crate::accounts::page_limit;
use crate::signin::Principal;
use crate::signin::token::hex;
use crate::{Result, Service, ServiceError, actor};

/// The most projects a list counts.
pub const PROJECT_COUNT_CAP: i64 = 10_000;

/// The list's query parameters as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::IntoParams)]
pub struct ProjectListParams {
    /// Text found in the name.
    pub q: Option<String>,
    /// A member's user id: the projects this person is a member of.
    pub member: Option<String>,
    /// A tag's id or name.
    pub tag: Option<String>,
    /// active, on_hold, completed or cancelled.
    pub status: Option<String>,
    pub contact_id: Option<String>,
    /// `name` (default) or `created_at`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn id_param(field: &str, s: &Option<String>) -> Result<Option<Uuid>> {
    blank(s).map(|v| Uuid::parse_str(v).map_err(|_| ServiceError::invalid(field, "Use an id."))).transpose()
}

fn encode_cursor(sort: ProjectSort, k: &ProjectKey) -> String {
    let micros = k.at.unix_timestamp_nanos() / 1000;
    hex(format!("{}\u{1f}{}\u{1f}{micros}\u{1f}{}", sort.key(), k.name, k.id).as_bytes())
}

fn decode_cursor(cursor: &str, sort: ProjectSort) -> Result<ProjectKey> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out for this sort.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 4096 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split('\u{1f}').collect();
    let [s, name, micros, id] = parts.as_slice() else { return Err(bad()) };
    if *s != sort.key() {
        return Err(bad());
    }
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok(ProjectKey { name: (*name).to_owned(), at, id: Uuid::parse_str(id).map_err(|_| bad())? })
}

impl ProjectListParams {
    fn query(&self) -> Result<ProjectQuery> {
        let q = match blank(&self.q) {
            Some(q) if q.chars().count() > 200 => {
                return Err(ServiceError::invalid("q", "Search with at most 200 characters."));
            }
            q => q.map(str::to_lowercase),
        };
        let status = blank(&self.status)
            .map(ProjectStatus::parse)
            .transpose()
            .map_err(|_| ServiceError::invalid("status", "Use active, on_hold, completed or cancelled."))?;
        let sort = match blank(&self.sort) {
            None => ProjectSort::Name,
            Some(s) => {
                ProjectSort::parse(s).ok_or_else(|| ServiceError::invalid("sort", "Sort by name or created_at."))?
            }
        };
        let descending = match blank(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ServiceError::invalid("order", "Use asc or desc.")),
        };
        let after = blank(&self.cursor).map(|c| decode_cursor(c, sort)).transpose()?;
        Ok(ProjectQuery {
            q,
            member: id_param("member", &self.member)?,
            tag: None,
            status,
            contact_id: id_param("contact_id", &self.contact_id)?,
            sort,
            descending,
            after,
        })
    }
}

impl Service {
    /// The projects the caller reaches (every project with `projects.view_all`, else their own).
    pub async fn list_projects(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &ProjectListParams,
    ) -> Result<ProjectPage> {
        let limit = page_limit(params.limit)?;
        let mut q = params.query()?;
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        let empty = ProjectPage { items: Vec::new(), next_cursor: None, total: 0, total_capped: false };
        if let Some(tag) = blank(&params.tag) {
            let found = match Uuid::parse_str(tag) {
                Ok(id) => tx.tag(&scope, id).await?,
                Err(_) => tx.tag_by_name(&scope, tag).await?,
            };
            match found {
                Some(t) => q.tag = Some(t.id),
                // No such tag: no project has it.
                None => return Ok(empty),
            }
        }
        let mut rows = tx.search_projects(&scope, &q, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|(_, k)| encode_cursor(q.sort, k))
        } else {
            None
        };
        let counted = tx.count_projects(&scope, &q, PROJECT_COUNT_CAP).await?;
        // Members and tags of the whole page in two statements, not two per project (each a
        // round trip on PostgreSQL: 10 ms a page of 50; decision 0094).
        let ids: Vec<Uuid> = rows.iter().map(|(p, _)| p.id).collect();
        let members = tx.page_project_members(&scope, &ids).await?;
        let tags = tx.page_project_tags(&scope, &ids).await?;
        let items: Vec<ProjectView> = rows
            .into_iter()
            .map(|(row, _)| {
                let member_ids = members.iter().filter(|(p, _)| *p == row.id).map(|(_, u)| *u).collect();
                let tags = tags.iter().filter(|(p, _)| *p == row.id).map(|(_, t)| TagView::from(t.clone())).collect();
                view_of(row, member_ids, tags)
            })
            .collect();
        Ok(ProjectPage {
            items,
            next_cursor,
            total: counted.min(PROJECT_COUNT_CAP),
            total_capped: counted > PROJECT_COUNT_CAP,
        })
    }

    /// One project in the caller's scope (404 outside it).
    pub async fn project(&self, p: &Principal, account_id: Uuid, project_id: Uuid) -> Result<ProjectView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope(&actor, account_id, scope::PROJECTS)?;
        let row = tx.project(&scope, project_id).await?.ok_or(ServiceError::NotFound)?;
        project_view(tx.as_mut(), &scope, row).await
    }
}
