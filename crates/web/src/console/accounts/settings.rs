//! The account's settings page (name, invite policy, invitation lifetime, public sign-up,
//! "log in as" allowed).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::FieldErrors;
use roster_service::{AccountPatch, AccountView, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::api::path_id;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, NavAccount, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/settings.html")]
pub struct SettingsPage {
    nav: Nav,
    account_id: String,
    name: String,
    invite_policy: String,
    invitation_ttl_days: String,
    public_signup: bool,
    allow_impersonation: bool,
    signup_url: String,
    errors: FieldErrors,
    saved: bool,
}

fn page(state: &AppState, user: &ConsoleUser, a: &AccountView, errors: FieldErrors, saved: bool) -> SettingsPage {
    let mut nav = user.nav();
    let (approvals, timer) = nav.account.as_ref().map_or((0, None), |n| (n.approvals, n.timer.clone()));
    nav.account = Some(NavAccount { id: a.id, name: a.name.clone(), approvals, timer });
    SettingsPage {
        nav,
        account_id: a.id.to_string(),
        name: a.name.clone(),
        invite_policy: a.invite_policy.as_str().to_owned(),
        invitation_ttl_days: a.invitation_ttl_days.to_string(),
        public_signup: a.public_signup,
        allow_impersonation: a.allow_impersonation,
        signup_url: format!("{}/signup/{}", state.config.public_url.trim_end_matches('/'), a.slug),
        errors,
        saved,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

fn account_id(raw: &str) -> Result<uuid::Uuid, PageError> {
    path_id(raw).map_err(|_| PageError::from(ServiceError::NotFound))
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response, PageError> {
    let id = account_id(&id)?;
    let account = state.service.account_settings(&user.0, id).await?;
    Ok(page(&state, &user, &account, FieldErrors::new(), q.saved.is_some()).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    csrf: String,
    name: String,
    invite_policy: String,
    invitation_ttl_days: String,
    public_signup: Option<String>,
    allow_impersonation: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let id = account_id(&id)?;
    let days = f.invitation_ttl_days.trim().parse::<i32>().unwrap_or(0);
    let patch = AccountPatch {
        name: Some(f.name.clone()),
        invite_policy: Some(f.invite_policy.clone()),
        invitation_ttl_days: Some(days),
        public_signup: Some(f.public_signup.is_some()),
        allow_impersonation: Some(f.allow_impersonation.is_some()),
    };
    match state.service.update_account(&user.0, id, &patch, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}/settings?saved=1")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let current = state.service.account_settings(&user.0, id).await?;
            let mut p = page(&state, &user, &current, errors, false);
            (p.name, p.invite_policy, p.invitation_ttl_days, p.public_signup) =
                (f.name, f.invite_policy, f.invitation_ttl_days, f.public_signup.is_some());
            p.allow_impersonation = f.allow_impersonation.is_some();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
