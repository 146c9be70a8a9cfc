//! Open registration in the console (R-AUTH-3, R-AUTH-8): the form, "check your email", and the
//! emailed confirmation link, whose page confirms by a POST (mail scanners fetch links: a GET
//! never uses the link up).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::{FieldErrors, ProblemCode};
use roster_service::{CONFIRM_ADDRESS_HAS_LOGIN, CONFIRM_WRONG_PASSWORD, NewPerson, ServiceError, SessionKind};
use serde::Deserialize;

use crate::AppState;
use crate::console::session::SameOrigin;
use crate::console::signin::sign_in::after_sign_in;
use crate::console::{MessagePage, Nav, PageError};
use crate::error::status_of;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate, Default)]
#[template(path = "signin/register.html")]
pub struct RegisterPage {
    nav: Nav,
    first_name: String,
    last_name: String,
    email: String,
    account_name: String,
    errors: FieldErrors,
    form_error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    first_name: String,
    last_name: String,
    email: String,
    password: String,
    account_name: String,
}

fn closed() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        MessagePage::new(
            "Registration is closed",
            "This installation does not take new registrations. Ask an account's admin for an invitation.",
        )
        .link("/sign-in", "Sign in"),
    )
}

pub async fn form(State(state): State<AppState>) -> Result<Response, PageError> {
    if !state.service.open_registration() {
        return Err(closed());
    }
    Ok(RegisterPage::default().into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let person = NewPerson { first_name: f.first_name, last_name: f.last_name, email: f.email, password: f.password };
    let again = |errors: FieldErrors, form_error: Option<String>, status: StatusCode| {
        let page = RegisterPage {
            nav: Nav::default(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            email: person.email.clone(),
            account_name: f.account_name.clone(),
            errors,
            form_error,
        };
        (status, page).into_response()
    };
    match state.service.register(&person, &f.account_name, &meta).await {
        // The same page for a new and a taken address (R-AUTH-3).
        Ok(()) => Ok(MessagePage::new(
            "Check your email",
            "We have sent a link to the address you gave. Open it to confirm the address: your login and \
             account are created then. The link works for 24 hours.",
        )
        .link("/sign-in", "Back to sign in")
        .into_response()),
        Err(ServiceError::Invalid(errors)) => Ok(again(errors, None, status_of(ProblemCode::InvalidFields))),
        Err(ServiceError::Conflict { code, message }) => Ok(again(FieldErrors::new(), Some(message), status_of(code))),
        Err(ServiceError::Closed { .. }) => Err(closed()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signin/confirm_email.html")]
pub struct ConfirmPage {
    nav: Nav,
    token: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    token: String,
    password: String,
}

fn confirm_gone(message: &str) -> PageError {
    let page = MessagePage::new("Link no longer valid", message);
    let page = if message == CONFIRM_ADDRESS_HAS_LOGIN {
        page.link("/sign-in", "Sign in")
    } else {
        page.link("/register", "Register again")
    };
    PageError::new(StatusCode::GONE, page)
}

/// The emailed link's page: a button that confirms. Opening it changes nothing.
pub async fn confirm_form(Query(q): Query<TokenForm>) -> Response {
    ConfirmPage { nav: Nav::default(), token: q.token, error: None }.into_response()
}

/// Confirms the address: the login and its account are made, and the person is signed in and
/// lands in the new account.
pub async fn confirm_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    match state.service.confirm_email(&f.token, &f.password, Some(SessionKind::Console), &meta).await {
        Ok(r) => match r.signed_in {
            Some(s) => Ok(after_sign_in(&state, &s)),
            None => Err(ServiceError::Internal("confirmation without a session".into()).into()),
        },
        Err(ServiceError::Invalid(errs)) => {
            let error = errs.get("password").map(str::to_owned).or_else(|| Some(CONFIRM_WRONG_PASSWORD.to_owned()));
            let page = ConfirmPage { nav: Nav::default(), token: f.token, error };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ServiceError::Gone(_, m)) => Err(confirm_gone(m)),
        Err(ServiceError::Closed { .. }) => Err(closed()),
        Err(e) => Err(e.into()),
    }
}
