//! Signing in and out, and where a person lands after signing in (R-AUTH-1, R-AUTH-2).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_service::{ServiceError, SessionKind, SignedIn};
use serde::Deserialize;

use crate::AppState;
use crate::console::session::{ConsoleUser, SameOrigin, clear_cookie, session_cookie};
use crate::console::{MessagePage, Nav, PageError};
use crate::extract::{ClientMeta, cookie};

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn home(State(state): State<AppState>, parts: axum::http::request::Parts) -> PageResult {
    if state.service.needs_setup().await? {
        return Ok(MessagePage::new(
            "Roster is not set up yet",
            "Open the one-time setup link that `roster serve` printed when it started, or create an operator with `roster operator create`.",
        )
        .into_response());
    }
    let signed_in = cookie(&parts, state.config.session_cookie()).is_some();
    Ok(Redirect::to(if signed_in { "/accounts" } else { "/sign-in" }).into_response())
}

pub(crate) fn after_sign_in(state: &AppState, s: &SignedIn) -> Response {
    let active = s.accounts.iter().filter(|m| m.status == roster_core::MembershipStatus::Active).count();
    let to = match s.account_id {
        Some(a) => crate::console::accounts::home::landing_path(a, &s.accounts),
        None if active > 1 => "/choose-account".to_owned(),
        None => "/accounts".to_owned(),
    };
    let max_age = state.service.session_policy().console_absolute.as_secs();
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&state.config, &s.token, max_age));
    if let Some(device) = &s.known_device {
        res.headers_mut().append(header::SET_COOKIE, crate::console::session::device_cookie(&state.config, device));
    }
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "signin/sign_in.html")]
pub struct SignInPage {
    nav: Nav,
    login: String,
    form_error: Option<String>,
    /// Open registration (R-AUTH-3): the page links to Register.
    registration_open: bool,
}

impl SignInPage {
    fn new(state: &AppState) -> Self {
        Self {
            nav: Nav::default(),
            login: String::new(),
            form_error: None,
            registration_open: state.service.open_registration(),
        }
    }
}

pub async fn sign_in_form(State(state): State<AppState>) -> impl IntoResponse {
    SignInPage::new(&state)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    login: String,
    password: String,
}

pub async fn sign_in_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<SignInForm>,
) -> PageResult {
    match state.service.sign_in(&f.login, &f.password, None, SessionKind::Console, &meta).await {
        Ok(s) => Ok(after_sign_in(&state, &s)),
        Err(ServiceError::InvalidCredentials | ServiceError::Invalid(_)) => Ok((
            StatusCode::UNAUTHORIZED,
            SignInPage {
                login: f.login,
                form_error: Some("The login or password is wrong.".into()),
                ..SignInPage::new(&state)
            },
        )
            .into_response()),
        // R-DIS-1: the right password of a disabled member (never said before the password
        // is checked); the typed login stays in the form.
        Err(ServiceError::Closed { message, .. }) => Ok((
            StatusCode::FORBIDDEN,
            SignInPage { login: f.login, form_error: Some(message), ..SignInPage::new(&state) },
        )
            .into_response()),
        // R-AUTH-7: blocked for a while; the typed login stays in the form.
        Err(ServiceError::Throttled { retry_after }) => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, roster_service::retry_after_secs(retry_after).to_string())],
            SignInPage {
                login: f.login,
                form_error: Some(roster_service::too_many_attempts(retry_after)),
                ..SignInPage::new(&state)
            },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    state.service.sign_out(&user.0, &meta).await?;
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state.config));
    Ok(res)
}
