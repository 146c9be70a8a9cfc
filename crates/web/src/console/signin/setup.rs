//! The installation's first operator, set up with the one-time token printed at start.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::FieldErrors;
use roster_service::{NewPerson, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::console::session::SameOrigin;
use crate::console::signin::sign_in::after_sign_in;
use crate::console::{MessagePage, Nav, PageError};
use crate::extract::ClientMeta;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "signin/setup.html")]
pub struct SetupPage {
    nav: Nav,
    token: String,
    first_name: String,
    last_name: String,
    email: String,
    errors: FieldErrors,
}

fn setup_done_page() -> PageError {
    PageError::new(
        StatusCode::GONE,
        MessagePage::new("Roster is already set up", "An operator exists. Sign in instead.")
            .link("/sign-in", "Sign in"),
    )
}

pub async fn setup_form(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> PageResult {
    if !state.service.needs_setup().await? {
        return Err(setup_done_page());
    }
    if !state.service.setup_token_valid(&q.token).await? {
        return Err(PageError::new(
            StatusCode::GONE,
            MessagePage::new(
                "This setup link is not valid",
                "It has expired or was replaced. Restart `roster serve` to print a new one, or use `roster operator create`.",
            ),
        ));
    }
    Ok(SetupPage {
        nav: Nav::default(),
        token: q.token,
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
        errors: FieldErrors::new(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    token: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
}

pub async fn setup_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<SetupForm>,
) -> PageResult {
    if !state.service.needs_setup().await? {
        return Err(setup_done_page());
    }
    let person = NewPerson { first_name: f.first_name, last_name: f.last_name, email: f.email, password: f.password };
    match state.service.complete_setup(&f.token, &person, &meta).await {
        Ok(s) => Ok(after_sign_in(&state, &s)),
        Err(ServiceError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            SetupPage {
                nav: Nav::default(),
                token: f.token,
                first_name: person.first_name,
                last_name: person.last_name,
                email: person.email,
                errors,
            },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
