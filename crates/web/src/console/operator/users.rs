//! `GET /users`: every login of the installation, for the operator, with search and paging.
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::FieldErrors;
use roster_service::{ServiceError, UserView};
use serde::Deserialize;

use crate::AppState;
use crate::console::Nav;
use crate::console::PageError;
use crate::console::common::{fail, when};
use crate::console::session::ConsoleUser;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UsersQuery {
    q: String,
    cursor: Option<String>,
}

/// One login as the page shows it.
pub struct LoginLine {
    name: String,
    email: String,
    username: Option<String>,
    is_operator: bool,
    email_verified: bool,
    created: String,
}

impl LoginLine {
    fn new(u: UserView, zone: &str) -> Self {
        Self {
            name: format!("{} {}", u.first_name, u.last_name),
            email: u.email,
            username: u.username,
            is_operator: u.is_operator,
            email_verified: u.email_verified,
            created: when(u.created_at, zone),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/users.html")]
pub struct UsersPage {
    nav: Nav,
    q: String,
    /// `q` ready for a link.
    q_param: String,
    users: Vec<LoginLine>,
    next_cursor: Option<String>,
    /// True past the first page: offers the way back to it.
    paged: bool,
    errors: FieldErrors,
}

pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let (status, users, next_cursor, errors) =
        match state.service.all_logins(&user.0, Some(q.q.as_str()), cursor, None).await {
            Ok(p) => (
                StatusCode::OK,
                p.items.into_iter().map(|u| LoginLine::new(u, user.zone())).collect(),
                p.next_cursor,
                FieldErrors::new(),
            ),
            Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), None, errors),
            Err(e) => return Err(fail(&user)(e)),
        };
    let q_param = form_urlencoded::byte_serialize(q.q.as_bytes()).collect();
    let page = UsersPage { nav: user.nav(), paged: cursor.is_some(), q: q.q, q_param, users, next_cursor, errors };
    Ok((status, page).into_response())
}
