//! The console's session cookie, the signed-in extractor, and the checks on unsafe requests.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use roster_service::{Principal, SessionKind};

use crate::console::shell::Can;
use crate::console::{MessagePage, Nav, NavAccount, PageError};
use crate::extract::{cookie, same_secret};
use crate::{AppState, WebConfig};

/// A signed-in console user; anyone else is sent to the sign-in page. The second field is where
/// they are: the page's path and the session's current account with their rights there.
pub struct ConsoleUser(pub Principal, pub(crate) Place);

/// Where a signed-in user is, for the header.
#[derive(Clone, Default)]
pub(crate) struct Place {
    path: String,
    /// The session's current account (R-AUTH-1) and what the user may do there.
    account: Option<(NavAccount, Can)>,
}

/// `account_id` as the header shows it, with what `p` may do there; `None` when `p` may not see
/// the account.
pub(crate) async fn place_in(state: &AppState, p: &Principal, account_id: uuid::Uuid) -> Option<(NavAccount, Can)> {
    let account = state.service.get_account(p, account_id).await.ok()?;
    let mine = match account.membership {
        Some(_) => state.service.member(p, account_id, p.user().id).await.ok(),
        None => None,
    };
    let can = Can::new(p, &account, mine.as_ref());
    // Only a member has a queue; a failure here costs the header its count, not the page.
    let (approvals, timer) = match mine {
        Some(_) => {
            let approvals = state.service.approval_count(p, account_id).await.unwrap_or(0);
            let timer = match can.track_time() {
                true => state.service.current_timer(p, account_id).await.ok().and_then(|c| c.timer).map(|t| t.note),
                false => None,
            };
            (approvals, timer)
        }
        None => (0, None),
    };
    Some((NavAccount { id: account.id, name: account.name, approvals, timer }, can))
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // R-IMP-1: when a "log in as" session has ended by itself, the admin cookie leads back.
        let signed_out = || {
            let admin = cookie(parts, crate::console::team::impersonate::admin_cookie_name(&state.config)).is_some();
            Redirect::to(if admin { "/impersonation/ended" } else { "/sign-in" }).into_response()
        };
        let token = cookie(parts, state.config.session_cookie()).ok_or_else(signed_out)?;
        match state.service.authenticate(token).await {
            Ok(p) if p.kind() == SessionKind::Console => {
                let account = match p.account_id() {
                    Some(id) => place_in(state, &p, id).await,
                    None => None,
                };
                Ok(ConsoleUser(p, Place { path: parts.uri.path().to_owned(), account }))
            }
            Ok(_) | Err(roster_service::ServiceError::Unauthenticated) => Err(signed_out()),
            Err(e) => Err(PageError::from(e).into_response()),
        }
    }
}

impl ConsoleUser {
    /// The viewer's time zone (an IANA name): every time the console shows is in it.
    pub fn zone(&self) -> &str {
        &self.0.user().time_zone
    }

    /// The header with the session's current account, if any.
    pub fn nav(&self) -> Nav {
        let name = format!("{} {}", self.0.user().first_name, self.0.user().last_name);
        let (account, can) = self.1.account.clone().map_or((None, Can::default()), |(a, c)| (Some(a), c));
        Nav {
            acting_as: self
                .0
                .impersonator()
                .map(|_| crate::console::ActingAs { name: name.clone(), email: self.0.user().email.clone() }),
            user_name: Some(name),
            account,
            csrf: self.0.csrf_token().to_owned(),
            can,
            path: self.1.path.clone(),
            operator: self.0.user().is_operator && !self.0.is_confined(),
            zone: self.zone().to_owned(),
        }
    }

    /// The header with `account_id` as the current account, when it is already the session's.
    pub(crate) fn nav_if_in(&self, account_id: uuid::Uuid) -> Option<Nav> {
        self.1.account.as_ref().is_some_and(|(a, _)| a.id == account_id).then(|| self.nav())
    }

    /// The header for another account than the session's.
    pub(crate) fn nav_in(&self, (account, can): (NavAccount, Can)) -> Nav {
        Nav { account: Some(account), can, ..self.nav() }
    }

    /// Refuses a form whose CSRF field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same_secret(sent, self.0.csrf_token()) {
            Ok(())
        } else {
            Err(PageError::new(
                StatusCode::FORBIDDEN,
                MessagePage::new(
                    "Form expired",
                    "This form was not sent from your current session. Go back, reload the page and try again.",
                )
                .link("/", "Go to the start"),
            ))
        }
    }
}

/// For forms sent before there is a session (sign-in, setup): refuse cross-site posts.
pub struct SameOrigin;

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let fetch_site = parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_ok = match (origin, host) {
            (Some("null"), _) => false,
            (Some(o), Some(h)) => o.split_once("://").is_some_and(|(_, rest)| rest == h),
            _ => true,
        };
        if fetch_site == Some("cross-site") || !origin_ok {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                MessagePage::new("Refused", "This form was sent from another site.").link("/", "Go to the start"),
            ));
        }
        Ok(SameOrigin)
    }
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, and `Secure` + `__Host-` on HTTPS.
pub fn session_cookie(config: &WebConfig, token: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if config.secure_cookies() { "; Secure" } else { "" };
    let v =
        format!("{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}", config.session_cookie());
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` for the "known device" note (R-AUTH-7): a year, HttpOnly, SameSite=Lax, and
/// `Secure` + `__Host-` on HTTPS, like the session cookie. Not a credential: it only keeps blocks
/// caused from elsewhere from stopping this browser.
pub fn device_cookie(config: &WebConfig, value: &str) -> HeaderValue {
    let secure = if config.secure_cookies() { "; Secure" } else { "" };
    let v = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        config.device_cookie(),
        roster_service::KNOWN_DEVICE_LIFETIME_SECS
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_cookie(config: &WebConfig) -> HeaderValue {
    let secure = if config.secure_cookies() { "; Secure" } else { "" };
    let v = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", config.session_cookie());
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}
