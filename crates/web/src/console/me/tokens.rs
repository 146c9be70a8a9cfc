//! "My tokens": the signed-in person's personal API tokens in the current account. A new
//! token's secret is shown once, on the page that answers the create form (never in a URL).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{ApiTokenView, NewApiToken, ServiceError};
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id, when};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// One row of the list.
pub struct TokenLine {
    id: Uuid,
    name: String,
    prefix: String,
    created: String,
    expires: Option<String>,
    expired: bool,
    last_used: Option<String>,
}

impl TokenLine {
    fn new(t: ApiTokenView, at: OffsetDateTime, zone: &str) -> Self {
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: when(t.created_at, zone),
            expires: t.expires_at.map(|e| when(e, zone)),
            expired: t.expires_at.is_some_and(|e| e <= at),
            last_used: t.last_used_at.map(|u| when(u, zone)),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "me/tokens.html")]
pub struct TokensPage {
    nav: Nav,
    /// False until the session has an account: tokens belong to one.
    has_account: bool,
    tokens: Vec<TokenLine>,
    /// The token just made, with its secret, shown this once.
    created: Option<NewApiToken>,
    name: String,
    expires_on: String,
    /// The earliest expiry date the form offers (tomorrow, UTC).
    min_date: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

fn date(t: OffsetDateTime) -> String {
    t.date().format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// The page for the current account (or the "choose an account first" page without one).
async fn page(state: &AppState, user: &ConsoleUser) -> Result<TokensPage, PageError> {
    let at = OffsetDateTime::now_utc();
    let mut page = TokensPage {
        nav: user.nav(),
        has_account: false,
        tokens: Vec::new(),
        created: None,
        name: String::new(),
        expires_on: String::new(),
        min_date: date(at + time::Duration::days(1)),
        errors: FieldErrors::new(),
        notice: None,
    };
    let Some(account_id) = user.0.account_id() else {
        return Ok(page);
    };
    page.nav = account_nav(state, user, account_id).await?;
    page.has_account = true;
    let tokens = state.service.my_api_tokens(&user.0).await.map_err(fail(user))?;
    page.tokens = tokens.into_iter().map(|t| TokenLine::new(t, at, user.zone())).collect();
    Ok(page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    done: String,
}

/// `GET /tokens`
pub async fn list(State(state): State<AppState>, user: ConsoleUser, Query(q): Query<Notice>) -> PageResult {
    let mut page = page(&state, &user).await?;
    page.notice = (q.done == "revoked").then_some("Token revoked. It no longer works.");
    Ok(page.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    csrf: String,
    name: String,
    /// `YYYY-MM-DD` (a date input), or empty for no expiry.
    expires_on: String,
}

/// The token stops working at 00:00 UTC on the chosen day.
fn expiry(raw: &str) -> Result<Option<OffsetDateTime>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    time::Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(|d| Some(d.midnight().assume_utc()))
        .map_err(|_| "Use a date such as 2030-12-31.")
}

/// `POST /tokens`: makes the token and answers with the page showing its secret once.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<CreateForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let outcome = match expiry(&f.expires_on) {
        Ok(expires_at) => state.service.create_api_token(&user.0, &f.name, expires_at, &meta).await,
        Err(m) => Err(ServiceError::invalid("expires_on", m)),
    };
    match outcome {
        Ok(created) => {
            let mut page = page(&state, &user).await?;
            page.created = Some(created);
            let mut res = page.into_response();
            // The secret must not linger in a cache.
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &user).await?;
            page.errors = FieldErrors::new();
            for e in errors.0 {
                // The service names the moment `expires_at`; the form asks for a day.
                let field = if e.field == "expires_at" { "expires_on" } else { e.field.as_str() };
                page.errors.add(field, e.message);
            }
            (page.name, page.expires_on) = (f.name, f.expires_on);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /tokens/{token_id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(token_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let token_id = path_id(&token_id)?;
    state.service.revoke_api_token(&user.0, token_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to("/tokens?done=revoked").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates_are_days_at_midnight_utc() {
        assert_eq!(expiry(" "), Ok(None));
        let at = expiry("2030-12-31").ok().flatten().map(|t| t.unix_timestamp());
        assert_eq!(at, Some(1_924_905_600));
        assert!(expiry("31/12/2030").is_err());
    }
}
