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
use crate::console::{Nav, PageError};

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
}

impl TeamPage {
    /// The row has at least one action for the viewer.
    fn has_actions(&self, m: &MemberView) -> bool {
        let can = &self.nav.can;
        can.log_in_as(m) || can.disable(m) || can.enable(m) || can.archive(m) || can.restore(m)
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
    let account = state.service.get_account(&user.0, account_id).await.map_err(fail(&user))?;
    let nav = account_nav(&state, &user, account_id).await?;
    let filters = crate::console::team::filters::TeamFilters { account_id, query: q };
    Ok(TeamPage { nav, account, members: page.items, next_cursor: page.next_cursor, filters }.into_response())
}
