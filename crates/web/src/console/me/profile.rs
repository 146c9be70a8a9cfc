//! "My profile" and "My sessions" in the console.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::FieldErrors;
use roster_service::{ServiceError, SessionView};
use serde::Deserialize;

use crate::AppState;
use crate::api::path_id;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

type PageResult = Result<Response, PageError>;

#[derive(Template, WebTemplate)]
#[template(path = "me/profile.html")]
pub struct ProfilePage {
    nav: Nav,
    email: String,
    first_name: String,
    last_name: String,
    time_zone: String,
    /// The IANA zone names, offered as suggestions (decision 0063).
    zones: Vec<String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    done: String,
}

fn notice(done: &str) -> Option<&'static str> {
    match done {
        "profile" => Some("Profile saved."),
        "password" => Some("Password changed. Every other session has ended."),
        "ended" => Some("Session ended."),
        "others" => Some("Every other session has ended."),
        _ => None,
    }
}

fn profile(user: &ConsoleUser, errors: FieldErrors, notice: Option<&'static str>) -> ProfilePage {
    let u = user.0.user();
    ProfilePage {
        nav: user.nav(),
        email: u.email.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        time_zone: u.time_zone.clone(),
        zones: roster_core::zone::all_zone_names(),
        errors,
        notice,
    }
}

pub async fn profile_page(user: ConsoleUser, Query(q): Query<Notice>) -> PageResult {
    // R-IMP-1: the login's own profile is out of reach while acting as someone.
    roster_service::refuse_while_impersonating(&user.0, "change their profile or password")
        .map_err(crate::console::common::fail(&user))?;
    Ok(profile(&user, FieldErrors::new(), notice(&q.done)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    csrf: String,
    first_name: String,
    last_name: String,
    time_zone: String,
}

pub async fn profile_submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<ProfileForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    match state.service.update_my_profile(&user.0, &f.first_name, &f.last_name, &f.time_zone, &meta).await {
        Ok(_) => Ok(Redirect::to("/me?done=profile").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = profile(&user, errors, None);
            (page.first_name, page.last_name, page.time_zone) = (f.first_name, f.last_name, f.time_zone);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    match state.service.change_my_password(&user.0, &f.current_password, &f.password, &meta).await {
        Ok(()) => Ok(Redirect::to("/me?done=password").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, profile(&user, errors, None)).into_response())
        }
        // R-AUTH-7: too many wrong current passwords; said at the field, with Retry-After.
        Err(ServiceError::Throttled { retry_after }) => {
            let mut errors = FieldErrors::new();
            errors.add("current_password", roster_service::too_many_attempts(retry_after));
            let retry = roster_service::retry_after_secs(retry_after).to_string();
            Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry)], profile(&user, errors, None))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One session as the page shows it: the device in words (the raw `User-Agent` only in a
/// tooltip), times in the viewer's zone.
pub struct SessionLine {
    id: uuid::Uuid,
    device_name: String,
    raw_device: String,
    ip: Option<String>,
    kind: String,
    started: String,
    last_seen: String,
    current: bool,
}

impl SessionLine {
    fn new(s: SessionView, zone: &str) -> Self {
        Self {
            id: s.id,
            device_name: s.device_name,
            raw_device: s.device.unwrap_or_default(),
            ip: s.ip,
            kind: match roster_service::SessionKind::parse(&s.kind) {
                Ok(roster_service::SessionKind::Api) => "API token".to_owned(),
                _ => "Browser".to_owned(),
            },
            started: crate::console::common::when(s.created_at, zone),
            last_seen: crate::console::common::when(s.last_seen_at, zone),
            current: s.current,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "me/sessions.html")]
pub struct SessionsPage {
    nav: Nav,
    sessions: Vec<SessionLine>,
    notice: Option<&'static str>,
}

pub async fn sessions_page(State(state): State<AppState>, user: ConsoleUser, Query(q): Query<Notice>) -> PageResult {
    let sessions = state.service.my_sessions(&user.0).await.map_err(crate::console::common::fail(&user))?;
    let sessions = sessions.into_iter().map(|s| SessionLine::new(s, user.zone())).collect();
    Ok(SessionsPage { nav: user.nav(), sessions, notice: notice(&q.done) }.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn end_session(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let id = path_id(&id).map_err(|_| PageError::from(ServiceError::NotFound))?;
    state.service.end_my_session(&user.0, id, &meta).await?;
    Ok(Redirect::to("/me/sessions?done=ended").into_response())
}

pub async fn end_others(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    state.service.end_my_other_sessions(&user.0, &meta).await?;
    Ok(Redirect::to("/me/sessions?done=others").into_response())
}
