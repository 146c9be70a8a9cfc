//! The team page of an account: members with search, filters, sort and paging (R-LIST-1). Page
//! and row actions are offered as the viewer's rights allow ([`crate::console::shell::Can`]).
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use roster_service::{AccountView, MemberView};

use crate::AppState;
use crate::console::common::{account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::filters::Done;
use crate::console::{Nav, PageError};

type PageResult = Result<Response, PageError>;

#[derive(Template, WebTemplate)]
#[template(path = "team/list.html")]
pub struct TeamPage {
    nav: Nav,
    account: AccountView,
    /// The members and the next page's cursor (shared with the page cache, decision 0110).
    page: std::sync::Arc<roster_service::KeptPage>,
    /// How many members match the tab, filters and search in all (capped, decision 0075).
    total: roster_service::MemberTotal,
    /// Search, filters and sort, kept in the URL (R-LIST-1).
    filters: crate::console::team::filters::TeamFilters,
    /// `(id, name)` of the account's custom roles, to name them in the Role column.
    custom_roles: Vec<(String, String)>,
    /// What the previous row action did, naming the member.
    notice: Option<String>,
}

impl TeamPage {
    /// The row has at least one action for the viewer.
    fn has_actions(&self, m: &MemberView) -> bool {
        let can = &self.nav.can;
        can.log_in_as(m) || can.disable(m) || can.enable(m) || can.archive(m) || can.restore(m)
    }

    /// The role's name: a built-in role's label, a custom role's own name, or "Chosen permissions".
    fn role_of(&self, m: &MemberView) -> String {
        role_name(m, &self.custom_roles)
    }
}

/// How the console names a member's role (a custom role by its name, never "custom").
pub(crate) fn role_name(m: &MemberView, custom_roles: &[(String, String)]) -> String {
    if let Some(id) = m.custom_role_id {
        let id = id.to_string();
        return custom_roles
            .iter()
            .find(|(r, _)| *r == id)
            .map_or_else(|| "Custom role".to_owned(), |(_, n)| n.clone());
    }
    if m.role == roster_core::RoleKind::Custom { "Chosen permissions".to_owned() } else { m.role_label().to_owned() }
}

/// The account's custom roles as `(id, name)`; none when the viewer may not list them.
pub(crate) async fn custom_roles(
    state: &AppState,
    user: &ConsoleUser,
    account_id: uuid::Uuid,
) -> Vec<(String, String)> {
    match state.service.roles(&user.0, account_id).await {
        Ok(list) => list.items.into_iter().filter(|r| !r.builtin).map(|r| (r.id, r.name)).collect(),
        Err(_) => Vec::new(),
    }
}

pub async fn team(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<crate::console::team::filters::TeamQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let page = state.service.search_members(&user.0, account_id, &q.params()).await.map_err(fail(&user))?;
    let total = state.service.count_members(&user.0, account_id, &q.params()).await.map_err(fail(&user))?;
    let account = state.service.get_account(&user.0, account_id).await.map_err(fail(&user))?;
    let nav = account_nav(&state, &user, account_id).await?;
    let mut notice = None;
    if let (Some(done), Ok(who)) = (Done::parse(&q.done), uuid::Uuid::parse_str(&q.who)) {
        // The name comes from the member's record, never from the link.
        if let Ok(m) = state.service.member(&user.0, account_id, who).await {
            notice = Some(done.sentence(&format!("{} {}", m.first_name, m.last_name)));
        }
    }
    if notice.is_none() {
        notice = q.notice().map(str::to_owned);
    }
    let custom_roles = custom_roles(&state, &user, account_id).await;
    let filters = crate::console::team::filters::TeamFilters { account_id, query: q };
    Ok(TeamPage { nav, account, page, total, filters, custom_roles, notice }.into_response())
}
