//! Public sign-up into one account in the console (R-AUTH-4): `/signup/{slug}`.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::{FieldErrors, ProblemCode};
use roster_service::{NewPerson, ServiceError, SessionKind, SignupTarget};
use serde::Deserialize;

use crate::AppState;
use crate::console::session::SameOrigin;
use crate::console::signin::sign_in::after_sign_in;
use crate::console::{MessagePage, Nav, PageError};
use crate::error::status_of;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate, Default)]
#[template(path = "signin/signup.html")]
pub struct SignupPage {
    nav: Nav,
    slug: String,
    account_name: String,
    first_name: String,
    last_name: String,
    email: String,
    errors: FieldErrors,
    form_error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    first_name: String,
    last_name: String,
    email: String,
    password: String,
}

fn closed() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        MessagePage::new("Sign-up is closed", "This account does not take sign-ups. Ask it for an invitation.")
            .link("/sign-in", "Sign in"),
    )
}

pub async fn form(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let account = state.service.signup_account(&slug).await.map_err(|_| closed())?;
    Ok(SignupPage { slug, account_name: account.name, ..SignupPage::default() }.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Path(slug): Path<String>,
    Form(f): Form<SignupForm>,
) -> Result<Response, PageError> {
    let account = state.service.signup_account(&slug).await.map_err(|_| closed())?;
    let person = NewPerson { first_name: f.first_name, last_name: f.last_name, email: f.email, password: f.password };
    let again = |errors: FieldErrors, form_error: Option<String>, status: StatusCode| {
        let page = SignupPage {
            nav: Nav::default(),
            slug: slug.clone(),
            account_name: account.name.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            email: person.email.clone(),
            errors,
            form_error,
        };
        (status, page).into_response()
    };
    match state.service.sign_up(SignupTarget::Slug(&slug), &person, Some(SessionKind::Console), &meta).await {
        Ok(s) => match s.signed_in {
            Some(signed_in) => Ok(after_sign_in(&state, &signed_in)),
            None => Err(ServiceError::Internal("sign-up without a session".into()).into()),
        },
        Err(ServiceError::Invalid(errors)) => Ok(again(errors, None, status_of(ProblemCode::InvalidFields))),
        Err(ServiceError::Conflict { code, message }) => Ok(again(FieldErrors::new(), Some(message), status_of(code))),
        Err(ServiceError::Closed { .. }) => Err(closed()),
        Err(e) => Err(e.into()),
    }
}
