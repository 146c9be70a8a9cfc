//! The HTML console: server-rendered askama templates (auto-escaped), plain forms, no
//! JavaScript needed. Unsafe requests carry the session's CSRF token in a hidden field.
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use roster_service::ServiceError;
use uuid::Uuid;

use crate::AppState;

mod account_settings;
mod add_member;
mod audit;
mod chooser;
mod home;
mod impersonate;
pub(crate) use impersonate::admin_cookie_name;
pub(crate) use session::device_cookie;
mod invitations;
mod lifecycle;
mod mail;
mod mail_forms;
mod me;
mod member;
mod pages;
mod register;
mod reset;
mod rights_form;
mod roles;
mod session;
mod signup;
mod team_list;
mod tokens;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/static/roster.css", get(stylesheet))
        .route("/setup", get(pages::setup_form).post(pages::setup_submit))
        .route("/sign-in", get(pages::sign_in_form).post(pages::sign_in_submit))
        .route("/me", get(me::profile_page).post(me::profile_submit))
        .route("/me/password", axum::routing::post(me::password_submit))
        .route("/me/sessions", get(me::sessions_page))
        .route("/me/sessions/end-others", axum::routing::post(me::end_others))
        .route("/me/sessions/{session_id}/end", axum::routing::post(me::end_session))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{token_id}/revoke", post(tokens::revoke))
        .route("/choose-account", get(chooser::page).post(chooser::choose))
        .route("/accounts/{account_id}/settings", get(account_settings::show).post(account_settings::save))
        .route("/signup/{slug}", get(signup::form).post(signup::submit))
        .route("/register", get(register::form).post(register::submit))
        .route("/confirm-email", get(register::confirm_form).post(register::confirm_submit))
        .route("/forgot-password", get(reset::forgot_form).post(reset::forgot_submit))
        .route("/password-reset", get(reset::reset_form).post(reset::reset_submit))
        .route("/sign-out", post(pages::sign_out))
        .route("/accounts", get(pages::accounts))
        .route("/accounts/new", get(pages::new_account_form).post(pages::new_account_submit))
        .route("/accounts/{account_id}", get(home::page))
        .route("/accounts/{account_id}/audit", get(audit::page))
        .route("/accounts/{account_id}/team", get(pages::team))
        .route("/accounts/{account_id}/roles", get(roles::list).post(roles::create))
        .route("/accounts/{account_id}/roles/{role_id}", get(roles::edit).post(roles::save))
        .route("/accounts/{account_id}/team/{user_id}", get(member::show).post(member::save))
        .route("/accounts/{account_id}/team/{user_id}/{action}", post(lifecycle::member_action))
        .route("/accounts/{account_id}/transfer", get(lifecycle::form).post(lifecycle::submit))
        .route("/accounts/{account_id}/log-in-as/{user_id}", get(impersonate::form).post(impersonate::submit))
        .route("/impersonation/end", post(impersonate::end))
        .route("/impersonation/ended", get(impersonate::ended))
        .route("/accounts/{account_id}/team/new", get(add_member::form).post(add_member::submit))
        .route("/accounts/{account_id}/invitations", get(invitations::page).post(invitations::invite))
        .route("/accounts/{account_id}/invitations/bulk", post(invitations::bulk))
        .route("/accounts/{account_id}/invitations/{invitation_id}/{action}", post(invitations::act))
        .route("/invitations/accept", get(invitations::accept_page).post(invitations::accept_submit))
        .route("/invitations/accept/sign-in", post(invitations::accept_sign_in))
        .route("/invitations/accept/sign-out", post(invitations::accept_sign_out))
        .route("/invitations/accept/ask", post(invitations::ask_again))
        .route("/accounts/{account_id}/emails", get(mail::outbox))
        .route("/accounts/{account_id}/emails/{email_id}", get(mail::email))
        .route("/accounts/{account_id}/emails/{email_id}/retry", post(mail::retry))
        .route("/emails", get(mail::all_outboxes))
        .route("/emails/{email_id}", get(mail::any_email))
        .route("/emails/{email_id}/retry", post(mail::retry_any))
        .route("/accounts/{account_id}/email-templates", get(mail::templates))
        .route("/accounts/{account_id}/email-templates/{name}", get(mail_forms::editor).post(mail_forms::save_template))
        .route("/accounts/{account_id}/email-templates/{name}/preview", post(mail_forms::preview_template))
        .route("/accounts/{account_id}/email-templates/{name}/reset", post(mail_forms::reset_template))
        .route("/accounts/{account_id}/email-templates/{name}/test", post(mail_forms::test_template))
        .route("/accounts/{account_id}/settings/email", get(mail_forms::smtp_form).post(mail_forms::smtp_save))
        .route("/accounts/{account_id}/settings/email/delete", post(mail_forms::smtp_delete))
        .route("/accounts/{account_id}/settings/email/test", post(mail_forms::smtp_test))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/roster.css"),
    )
}

/// The account in the header.
pub struct NavAccount {
    pub id: Uuid,
    pub name: String,
}

/// What the layout shows: who is signed in, the current account, the CSRF token for forms.
#[derive(Default)]
pub struct Nav {
    pub user_name: Option<String>,
    pub account: Option<NavAccount>,
    pub csrf: String,
    /// During "log in as" (R-IMP-1): the person acted as, for the banner on every page.
    pub acting_as: Option<ActingAs>,
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
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
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
