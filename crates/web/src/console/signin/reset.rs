//! Forgotten passwords in the console (R-AUTH-5): ask for a link, then set a new password.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::FieldErrors;
use roster_service::ServiceError;
use serde::Deserialize;

use crate::AppState;
use crate::console::session::SameOrigin;
use crate::console::{MessagePage, Nav, PageError};
use crate::extract::ClientMeta;

type PageResult = Result<Response, PageError>;

#[derive(Template, WebTemplate)]
#[template(path = "signin/forgot_password.html")]
pub struct ForgotPage {
    nav: Nav,
    email: String,
    errors: FieldErrors,
}

pub async fn forgot_form() -> impl IntoResponse {
    ForgotPage { nav: Nav::default(), email: String::new(), errors: FieldErrors::new() }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

/// The same page whether or not the address belongs to someone.
pub async fn forgot_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<ForgotForm>,
) -> PageResult {
    match state.service.request_password_reset(&f.email, &meta).await {
        Ok(()) => Ok(MessagePage::new(
            "Check your email",
            "If an account uses that address, we have sent it a link to choose a new password. The link works for one hour.",
        )
        .link("/sign-in", "Back to sign in")
        .into_response()),
        Err(ServiceError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ForgotPage { nav: Nav::default(), email: f.email, errors },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signin/password_reset.html")]
pub struct ResetPage {
    nav: Nav,
    token: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

fn link_gone() -> PageError {
    PageError::new(
        StatusCode::GONE,
        MessagePage::new(
            "Link no longer valid",
            "This password reset link has expired or was already used. Ask for a new one.",
        )
        .link("/forgot-password", "Send me a new link"),
    )
}

pub async fn reset_form(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> PageResult {
    if !state.service.password_reset_valid(&q.token).await? {
        return Err(link_gone());
    }
    Ok(ResetPage { nav: Nav::default(), token: q.token, errors: FieldErrors::new() }.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<ResetForm>,
) -> PageResult {
    match state.service.confirm_password_reset(&f.token, &f.password, &meta).await {
        Ok(()) => Ok(MessagePage::new(
            "Password changed",
            "Your new password is set, and every session that was signed in as you has ended.",
        )
        .link("/sign-in", "Sign in")
        .into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, ResetPage { nav: Nav::default(), token: f.token, errors })
                .into_response())
        }
        Err(ServiceError::Gone(..)) => Err(link_gone()),
        Err(e) => Err(e.into()),
    }
}
