//! The team page of an account: members with search, filters, sort and paging (R-LIST-1).
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use roster_service::{AccountView, MemberView, ServiceError};

use crate::AppState;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, NavAccount, PageError};

type PageResult = Result<Response, PageError>;

#[derive(Template, WebTemplate)]
#[template(path = "team/list.html")]
pub struct TeamPage {
    nav: Nav,
    account: AccountView,
    members: Vec<MemberView>,
    next_cursor: Option<String>,
    /// Search, filters and sort, kept in the URL (R-LIST-1).
    filters: crate::console::team::filters::TeamFilters,
    /// Whom "Log in as" is offered for (R-IMP-1); `None`: nobody.
    impersonation: Option<roster_service::ImpersonationRights>,
}

impl TeamPage {
    fn may_log_in_as(&self, m: &MemberView) -> bool {
        self.impersonation.as_ref().is_some_and(|r| r.may(m))
    }
}

pub async fn team(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<crate::console::team::filters::TeamQuery>,
) -> PageResult {
    let account_id = uuid::Uuid::parse_str(&account_id).map_err(|_| PageError::from(ServiceError::NotFound))?;
    let page = state.service.search_members(&user.0, account_id, &q.params()).await;
    let page = page.map_err(|e| with_nav(e, &user))?;
    let account = state.service.get_account(&user.0, account_id).await?;
    let impersonation = state.service.impersonation_rights(&user.0, account_id).await?;
    let mut nav = user.nav();
    nav.account = Some(NavAccount { id: account.id, name: account.name.clone() });
    let filters = crate::console::team::filters::TeamFilters { account_id, query: q };
    Ok(TeamPage { nav, account, members: page.items, next_cursor: page.next_cursor, filters, impersonation }
        .into_response())
}

/// An error page that keeps the header, for people who are signed in.
fn with_nav(e: ServiceError, user: &ConsoleUser) -> PageError {
    let PageError(status, page) = PageError::from(e);
    PageError(status, Box::new(page.with_nav(user.nav())))
}
