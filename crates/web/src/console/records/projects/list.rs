//! `GET /accounts/{id}/projects`: the projects the viewer reaches.
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use roster_core::ProjectStatus;
use roster_service::{ProjectListParams, ProjectView, TagView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    member: String,
    tag: String,
    status: String,
    sort: String,
    order: String,
    cursor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/projects/list.html")]
pub struct ProjectsPage {
    nav: Nav,
    account_id: Uuid,
    q: ListQuery,
    items: Vec<ProjectView>,
    tags: Vec<TagView>,
    statuses: Vec<&'static str>,
    total: i64,
    capped: bool,
    /// The next page's query string, when there is one.
    next: Option<String>,
    error: Option<String>,
    may_manage: bool,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let params = ProjectListParams {
        q: opt(&q.q),
        member: opt(&q.member),
        tag: opt(&q.tag),
        status: opt(&q.status),
        contact_id: None,
        sort: opt(&q.sort),
        order: opt(&q.order),
        cursor: opt(&q.cursor),
        limit: None,
    };
    let tags = state.service.tags(&user.0, account_id).await.map_err(fail(&user))?;
    let (items, total, capped, next, error) = match state.service.list_projects(&user.0, account_id, &params).await {
        Ok(page) => {
            let next = page.next_cursor.map(|c| {
                format!(
                    "q={}&member={}&tag={}&status={}&sort={}&order={}&cursor={c}",
                    enc(&q.q),
                    enc(&q.member),
                    enc(&q.tag),
                    enc(&q.status),
                    enc(&q.sort),
                    enc(&q.order)
                )
            });
            (page.items, page.total, page.total_capped, next, None)
        }
        Err(roster_service::ServiceError::Invalid(errs)) => {
            let msg = errs.first_field().and_then(|f| errs.get(f)).unwrap_or("Check the filters.").to_owned();
            (Vec::new(), 0, false, None, Some(msg))
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    let may_manage = nav.can.manage_projects();
    let statuses = ProjectStatus::ALL.iter().map(|s| s.as_str()).collect();
    Ok(ProjectsPage { nav, account_id, q, items, tags, statuses, total, capped, next, error, may_manage }
        .into_response())
}
