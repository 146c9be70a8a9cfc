//! "Log in as" in the console (R-IMP-1): the confirmation form asking for the reason, the switch
//! of the browser to the impersonation session, and "Return to my account".
//!
//! While impersonating, the session cookie holds the impersonation session's secret and a second
//! cookie (`__Host-roster_admin` on HTTPS, `roster_admin` on plain http; same attributes as the
//! session cookie: HttpOnly, SameSite=Lax, Path=/) holds the admin's own session secret, which is
//! never sent anywhere else. "Return" ends the impersonation session (audited) and puts the
//! admin's secret back into the session cookie, after checking that it still signs in the very
//! person who was impersonating; anything else clears both cookies and asks for a sign-in.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::FieldErrors;
use roster_service::{MemberView, REASON_MAX_CHARS, ServiceError, SessionKind};
use serde::Deserialize;

use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::session::{ConsoleUser, clear_cookie, session_cookie};
use crate::{AppState, WebConfig};

/// The cookie that keeps the admin's own session while they act as someone else.
pub fn admin_cookie_name(config: &WebConfig) -> &'static str {
    if config.secure_cookies() { "__Host-roster_admin" } else { "roster_admin" }
}

fn admin_cookie(config: &WebConfig, token: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if config.secure_cookies() { "; Secure" } else { "" };
    let v = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        admin_cookie_name(config)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn clear_admin_cookie(config: &WebConfig) -> HeaderValue {
    admin_cookie(config, "", 0)
}

/// One cookie of the request.
fn cookie_of<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "team/impersonate.html")]
pub struct ConfirmPage {
    nav: Nav,
    account_id: uuid::Uuid,
    member: MemberView,
    reason: String,
    max_chars: usize,
    errors: FieldErrors,
}

/// `GET /accounts/{account_id}/log-in-as/{user_id}`: who, and a reason to give.
pub async fn form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, user_id)): Path<(String, String)>,
) -> PageResult {
    let (account_id, user_id) = (path_id(&account_id)?, path_id(&user_id)?);
    let nav = account_nav(&state, &user, account_id).await?;
    let member = state.service.impersonation_target(&user.0, account_id, user_id).await.map_err(fail(&user))?;
    Ok(ConfirmPage {
        nav,
        account_id,
        member,
        reason: String::new(),
        max_chars: REASON_MAX_CHARS,
        errors: FieldErrors::new(),
    }
    .into_response())
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    csrf: String,
    reason: String,
}

/// `POST /accounts/{account_id}/log-in-as/{user_id}`: starts acting as them; the browser now
/// carries their session, and the admin's own one waits in the admin cookie.
pub async fn submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    crate::extract::ClientMeta(meta): crate::extract::ClientMeta,
    Path((account_id, user_id)): Path<(String, String)>,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let (account_id, user_id) = (path_id(&account_id)?, path_id(&user_id)?);
    let Some(own) = cookie_of(&headers, state.config.session_cookie()).map(str::to_owned) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    match state.service.impersonate(&user.0, account_id, user_id, &f.reason, SessionKind::Console, &meta).await {
        Ok(started) => {
            let mut res = Redirect::to(&format!("/accounts/{account_id}")).into_response();
            let admin_age = state.service.session_policy().console_absolute.as_secs();
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, session_cookie(&state.config, &started.token, started.expires_in));
            h.append(header::SET_COOKIE, admin_cookie(&state.config, &own, admin_age));
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let nav = account_nav(&state, &user, account_id).await?;
            let member = state.service.impersonation_target(&user.0, account_id, user_id).await.map_err(fail(&user))?;
            let page = ConfirmPage { nav, account_id, member, reason: f.reason, max_chars: REASON_MAX_CHARS, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /impersonation/end` ("Return to my account"): ends the impersonation session and
/// restores the admin's own session from the admin cookie.
pub async fn end(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    crate::extract::ClientMeta(meta): crate::extract::ClientMeta,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let Some(impersonator) = user.0.impersonator() else {
        let mut res = Redirect::to("/accounts").into_response();
        res.headers_mut().append(header::SET_COOKIE, clear_admin_cookie(&state.config));
        return Ok(res);
    };
    let account_id = user.0.account_id();
    state.service.sign_out(&user.0, &meta).await.map_err(fail(&user))?;
    Ok(restore_admin(&state, &headers, impersonator, account_id).await)
}

/// `GET /impersonation/ended`: where a console request lands when its "log in as" session ended
/// by itself (the hour passed, or it was ended elsewhere) while the admin cookie is still there:
/// the admin's own session comes back if it is still valid. Changes nothing but this browser's
/// cookies, and only to a session the browser already held.
pub async fn ended(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // A GET changes nothing while the "log in as" session still works: leaving it is the
    // banner's POST (CSRF-checked, audited), never a link another site could make us follow.
    if let Some(current) = cookie_of(&headers, state.config.session_cookie())
        && state.service.authenticate(current).await.is_ok()
    {
        return Redirect::to("/").into_response();
    }
    let own = cookie_of(&headers, admin_cookie_name(&state.config)).map(str::to_owned);
    let admin = match &own {
        Some(token) => state.service.authenticate(token).await.ok(),
        None => None,
    };
    match (own, admin) {
        (Some(token), Some(p)) if p.kind() == SessionKind::Console && p.impersonator().is_none() => {
            restored(&state, &token, "/accounts")
        }
        _ => signed_out(&state),
    }
}

fn restored(state: &AppState, token: &str, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let age = state.service.session_policy().console_absolute.as_secs();
    res.headers_mut().append(header::SET_COOKIE, session_cookie(&state.config, token, age));
    res.headers_mut().append(header::SET_COOKIE, clear_admin_cookie(&state.config));
    res
}

fn signed_out(state: &AppState) -> Response {
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().append(header::SET_COOKIE, clear_cookie(&state.config));
    res.headers_mut().append(header::SET_COOKIE, clear_admin_cookie(&state.config));
    res
}

/// Puts the admin's own session back when the admin cookie still signs in `impersonator`;
/// otherwise clears both cookies and sends them to sign in.
async fn restore_admin(
    state: &AppState,
    headers: &HeaderMap,
    impersonator: uuid::Uuid,
    account_id: Option<uuid::Uuid>,
) -> Response {
    let own = cookie_of(headers, admin_cookie_name(&state.config)).map(str::to_owned);
    let admin = match &own {
        Some(token) => state.service.authenticate(token).await.ok(),
        None => None,
    };
    match (own, admin) {
        (Some(token), Some(p))
            if p.user().id == impersonator && p.kind() == SessionKind::Console && p.impersonator().is_none() =>
        {
            let to = match account_id {
                Some(a) => format!("/accounts/{a}/team"),
                None => "/accounts".to_owned(),
            };
            restored(state, &token, &to)
        }
        _ => signed_out(state),
    }
}
