//! Helpers shared by console pages: path ids, error pages that keep the header, the account's
//! navigation, times, CSRF-only forms and cursors.
use crate::AppState;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use roster_service::ServiceError;
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;
use uuid::Uuid;

pub(crate) type PageResult = Result<Response, PageError>;

/// The policy of pages that show an email's HTML in a sandboxed `srcdoc` frame. The frame
/// inherits it: the email's inline styles may apply, its images may only be inline, and the
/// empty `sandbox` attribute keeps scripts, forms and navigation of this page out.
const PREVIEW_CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// A page that embeds an email's HTML, with [`PREVIEW_CSP`].
pub(crate) fn with_preview_csp(mut res: Response) -> Response {
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PREVIEW_CSP));
    res
}

/// An id from the path; anything that is not an id is simply not found.
pub(crate) fn path_id(id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::from(ServiceError::NotFound))
}

/// An error page that keeps the header, for people who are signed in.
pub(crate) fn fail(user: &ConsoleUser) -> impl Fn(ServiceError) -> PageError + '_ {
    move |e| {
        let PageError(status, page) = PageError::from(e);
        PageError(status, Box::new(page.with_nav(user.nav())))
    }
}

/// The header with `account_id` as the current account, and what the viewer may do there
/// ([`crate::console::shell::Can`]). An account the viewer may not see is an error page.
pub(crate) async fn account_nav(state: &AppState, user: &ConsoleUser, account_id: Uuid) -> Result<Nav, PageError> {
    if let Some(nav) = user.nav_if_in(account_id) {
        return Ok(nav);
    }
    // Another account than the session's: the error of the account itself, if any, first.
    state.service.get_account(&user.0, account_id).await.map_err(fail(user))?;
    match crate::console::session::place_in(state, &user.0, account_id).await {
        Some(place) => Ok(user.nav_in(place)),
        None => Err(fail(user)(ServiceError::NotFound)),
    }
}

/// A moment as people read it in tables, in the viewer's time zone (the user's `time_zone`, an
/// IANA name), to the minute: `2025-03-14 10:30 CET`. Never microseconds, never a raw offset.
pub(crate) fn when(t: OffsetDateTime, zone: &str) -> String {
    let (local, abbreviation) = roster_core::zone::in_zone(t, zone);
    let shown = local.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).unwrap_or_default();
    format!("{shown} {abbreviation}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CursorQuery {
    pub(crate) cursor: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub(crate) csrf: String,
}
