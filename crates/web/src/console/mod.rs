//! The HTML console: server-rendered askama templates (auto-escaped), plain forms, no
//! JavaScript needed. Unsafe requests carry the session's CSRF token in a hidden field.
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use roster_service::ServiceError;
use uuid::Uuid;

use crate::AppState;

mod accounts;
pub(crate) mod common;
mod invitations;
mod mail;
mod me;
mod operator;
mod records;
mod session;
pub(crate) mod shell;
mod signin;
mod team;
pub(crate) use session::device_cookie;
pub(crate) use team::impersonate::admin_cookie_name;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(signin::sign_in::home))
        .route("/static/roster.css", get(stylesheet))
        .merge(signin::routes())
        .merge(me::routes())
        .merge(accounts::routes())
        .merge(team::routes())
        .merge(invitations::routes())
        .merge(mail::routes())
        .merge(operator::routes())
        .merge(records::routes())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/roster.css"),
    )
}

/// The account in the header.
#[derive(Clone)]
pub struct NavAccount {
    pub id: Uuid,
    pub name: String,
    /// Emails waiting for the viewer's approval (R-WF-1), counted up to
    /// `roster_service::APPROVAL_COUNT_CAP`, for the header.
    pub approvals: i64,
    /// The viewer's running timer's note (R-TIME-1), when one runs: the header offers "Stop"
    /// then, "Start" otherwise.
    pub timer: Option<String>,
}

/// What the layout shows: who is signed in, the current account and its switcher, the areas
/// and tabs the viewer may open, the way back, the CSRF token for forms.
#[derive(Default)]
pub struct Nav {
    pub user_name: Option<String>,
    pub account: Option<NavAccount>,
    pub csrf: String,
    /// During "log in as" (R-IMP-1): the person acted as, for the banner on every page.
    pub acting_as: Option<ActingAs>,
    /// What the viewer may do in `account`: every link and button for an action asks it.
    pub can: shell::Can,
    /// The page's path: which area and tab are current, and the breadcrumbs.
    pub path: String,
    /// The installation's operator (not while confined to one account).
    pub operator: bool,
    /// The viewer's IANA time zone (empty when nobody is signed in: UTC).
    pub zone: String,
}

impl Nav {
    /// A moment in the viewer's time zone, to the minute ([`common::when`]).
    pub fn when(&self, t: &time::OffsetDateTime) -> String {
        common::when(*t, if self.zone.is_empty() { "UTC" } else { &self.zone })
    }

    /// `can`, but only when it speaks of the account shown: a page that put another account in
    /// the header without [`common::account_nav`] offers nothing rather than the wrong things.
    fn can_here(&self) -> Option<&shell::Can> {
        self.account.as_ref().filter(|a| self.can.account_id() == Some(a.id)).map(|_| &self.can)
    }

    /// The areas in the header (Team, Settings, Installation, Me), each with the pages allowed.
    pub fn areas(&self) -> Vec<shell::NavArea> {
        if self.user_name.is_none() {
            return Vec::new();
        }
        let none = shell::Can::default();
        let account = self.can_here().and(self.account.as_ref()).map(|a| a.id);
        shell::areas(self.can_here().unwrap_or(&none), account, self.operator, &self.path)
    }

    /// The account whose timer the header's start and stop act on: shown with `time.track`
    /// (R-TIME-1), not while acting as someone else.
    pub fn timer_account(&self) -> Option<Uuid> {
        let can = self.can_here()?;
        (can.track_time() && self.acting_as.is_none()).then(|| self.account.as_ref().map(|a| a.id)).flatten()
    }

    /// The note of the viewer's running timer in the header's account, when one runs.
    pub fn running_timer(&self) -> Option<&str> {
        self.timer_account()?;
        self.account.as_ref()?.timer.as_deref()
    }

    /// The way back to the page's parents (the account's home, the area's list).
    pub fn crumbs(&self) -> Vec<shell::Crumb> {
        match (&self.account, self.can_here()) {
            (Some(a), Some(can)) => shell::crumbs(can, a.id, &a.name, &self.path),
            _ => Vec::new(),
        }
    }
}

/// Whom the signed-in admin is acting as (R-IMP-1).
pub struct ActingAs {
    pub name: String,
    pub email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub nav: Nav,
    pub title: String,
    pub message: String,
    pub link_href: Option<String>,
    pub link_text: String,
}

impl MessagePage {
    pub fn new(title: &str, message: &str) -> Self {
        Self {
            nav: Nav::default(),
            title: title.to_owned(),
            message: message.to_owned(),
            link_href: None,
            link_text: String::new(),
        }
    }

    pub fn link(mut self, href: &str, text: &str) -> Self {
        self.link_href = Some(href.to_owned());
        self.link_text = text.to_owned();
        self
    }

    pub fn with_nav(mut self, nav: Nav) -> Self {
        self.nav = nav;
        self
    }
}

/// A console failure, answered as a helpful page with the right status.
pub struct PageError(pub StatusCode, pub Box<MessagePage>);

impl PageError {
    pub fn new(status: StatusCode, page: MessagePage) -> Self {
        PageError(status, Box::new(page))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (self.0, *self.1).into_response()
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        // Status (and code) from the one mapping the API uses; only the words are the console's.
        let status = crate::error::refusal(&e).status;
        let (title, message) = match &e {
            ServiceError::NotFound => ("Not found", "There is nothing here, or it is not yours to see.".to_owned()),
            ServiceError::Forbidden(p) => (
                "Not allowed",
                format!("You need the “{}” permission for this. Ask the account's owner or an admin.", p.id()),
            ),
            ServiceError::Escalation(p) => (
                "Not allowed",
                format!(
                    "You do not hold the “{}” permission, so you can neither give it nor act on someone who holds it.",
                    p.id()
                ),
            ),
            ServiceError::Throttled { retry_after } => {
                ("Too many attempts", roster_service::too_many_attempts(*retry_after))
            }
            ServiceError::Unauthenticated | ServiceError::InvalidCredentials => {
                ("Please sign in", "Your session has ended. Sign in again.".to_owned())
            }
            ServiceError::Conflict { message, .. } | ServiceError::Rule { message, .. } => {
                ("Not possible", message.clone())
            }
            ServiceError::Gone(_, m) => ("Link no longer valid", (*m).to_owned()),
            ServiceError::Closed { message, .. } => ("Not available", message.clone()),
            ServiceError::Invalid(_) => ("Check the form", "Some fields are invalid.".to_owned()),
            ServiceError::Refused { errors, .. } => {
                ("Check the form", errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))
            }
            ServiceError::Limited { code: roster_core::ProblemCode::MailQuota, message, .. } => (
                "Email limit reached",
                format!(
                    "{message} The limit keeps one account from flooding others' inboxes; nothing was changed, so \
                     you can do the same again once the hour has turned."
                ),
            ),
            ServiceError::Limited { message, .. } => ("Too much at once", message.clone()),
            ServiceError::Unavailable(_) => {
                ("Try again shortly", "The database is not answering right now.".to_owned())
            }
            ServiceError::StorageUnavailable(m) => {
                tracing::error!(error = %m, request_id = %crate::access_log::current_request_id(), "storage failing");
                (
                    "Try again later",
                    "The database cannot save anything right now (its disk is full or failing). Nothing was changed."
                        .to_owned(),
                )
            }
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, request_id = %crate::access_log::current_request_id(), "internal error");
                ("Something went wrong", "Something went wrong on our side.".to_owned())
            }
        };
        PageError(status, Box::new(MessagePage::new(title, &message).link("/", "Go to the start")))
    }
}

pub fn not_found_page() -> Response {
    PageError::new(
        StatusCode::NOT_FOUND,
        MessagePage::new("Not found", "There is no page at this address.").link("/", "Go to the start"),
    )
    .into_response()
}
