//! Open registration in the console (R-AUTH-3).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::FieldErrors;
use roster_service::{NewPerson, ServiceError, SessionKind};
use serde::Deserialize;

use super::pages::after_sign_in;
use super::session::SameOrigin;
use super::{MessagePage, Nav, PageError};
use crate::AppState;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate, Default)]
#[template(path = "register.html")]
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
    match state.service.register(&person, &f.account_name, Some(SessionKind::Console), &meta).await {
        Ok(r) => match r.signed_in {
            Some(s) => Ok(after_sign_in(&state, &s)),
            None => Err(ServiceError::Internal("registration without a session".into()).into()),
        },
        Err(ServiceError::Invalid(errors)) => Ok(again(errors, None, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(ServiceError::Conflict { message, .. }) => {
            Ok(again(FieldErrors::new(), Some(message), StatusCode::CONFLICT))
        }
        Err(ServiceError::Closed { .. }) => Err(closed()),
        Err(e) => Err(e.into()),
    }
}
