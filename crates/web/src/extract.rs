//! Extractors: JSON and query parsing that answer in problem+json, the signed-in principal,
//! and the client's address.
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use roster_core::FieldError;
use roster_service::{Meta, Prefetch, Principal, SessionKind};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body: 415 without `application/json`, 400 when it is not JSON, 422 naming the field
/// when it is JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::new(
                roster_core::ProblemCode::UnsupportedMediaType,
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(roster_core::ProblemCode::BodyTooLarge, format!("The body could not be read: {e}"))
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be left out: no body (or an empty one) is `T::default()`; a body is
/// read as [`ApiJson`] reads it (JSON only, fields named in errors).
pub struct ApiJsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for ApiJsonOrEmpty<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_type = req.headers().contains_key(header::CONTENT_TYPE);
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state).await.map_err(|e| {
                ApiError::new(roster_core::ProblemCode::BodyTooLarge, format!("The body could not be read: {e}"))
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        if !has_type {
            return Err(ApiError::new(
                roster_core::ProblemCode::UnsupportedMediaType,
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::<T>::from_request(req, state).await.map(|ApiJson(v)| ApiJsonOrEmpty(v))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let malformed = |e: &serde_json::Error| {
        ApiError::new(roster_core::ProblemCode::MalformedJson, format!("The body is not valid JSON: {e}"))
    };
    // Syntax first, whatever the shape: a cut-off body (`{"email": "half@exa`) is malformed
    // (400), even where a field's own parser would have named the field (422).
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(malformed(&e));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(malformed(inner));
            }
            let path = e.path().to_string();
            let message = inner.to_string();
            let field = match path.as_str() {
                "." | "" => missing_field(&message).unwrap_or_else(|| "body".to_owned()),
                p => p.to_owned(),
            };
            return Err(ApiError::new(roster_core::ProblemCode::InvalidFields, "Some fields are invalid; see errors.")
                .with_errors(vec![FieldError { field, message: strip_position(&message) }]));
        }
    };
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

/// Query parameters; a bad one answers 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let message = e.inner().to_string();
            let path = e.path().to_string();
            let field = match path.as_str() {
                "." | "" => message.split('`').nth(1).unwrap_or("query").to_owned(),
                p => p.to_owned(),
            };
            ApiError::new(roster_core::ProblemCode::InvalidFields, "Some query parameters are invalid.")
                .with_errors(vec![FieldError { field, message }])
        })
    }
}

/// Where the request came from: the client's address (the TCP peer, or through trusted proxies
/// the first untrusted `X-Forwarded-For` hop, R-AUTH-7), its User-Agent and its known-device
/// cookie.
pub struct ClientMeta(pub Meta);

impl FromRequestParts<AppState> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| state.config.trusted_proxies.client(c.0.ip(), forwarded).to_string());
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let known_device = cookie(parts, state.config.device_cookie()).map(str::to_owned);
        Ok(ClientMeta(Meta { ip, user_agent, known_device }))
    }
}

/// Reads one cookie from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

pub fn has_cookie(headers: &axum::http::HeaderMap, name: &str) -> bool {
    cookie_in(headers, name).is_some_and(|v| !v.is_empty())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Equal-time comparison for secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// What a read of this route will need of the caller's memberships, fetched with the session in
/// one statement: `GET /api/v1/me` all of them, a read under `/api/v1/accounts/{id}/` the one in
/// that account. Writes fetch nothing (they read the membership inside their transaction).
pub(crate) fn prefetch(parts: &Parts) -> Prefetch {
    if !is_safe(&parts.method) {
        return Prefetch::Nothing;
    }
    let path = parts.uri.path();
    if path == "/api/v1/me" {
        return Prefetch::Memberships;
    }
    path.strip_prefix("/api/v1/accounts/")
        .and_then(|rest| Uuid::try_parse(rest.split('/').next().unwrap_or_default()).ok())
        .map_or(Prefetch::Nothing, Prefetch::Membership)
}

/// The signed-in caller of an API request: a bearer token, or the console's session cookie
/// with the CSRF header on unsafe methods.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let want = prefetch(parts);
        if let Some(token) = bearer(parts) {
            let p = state.service.authenticate_for(token, want).await?;
            if p.kind() != SessionKind::Api {
                return Err(roster_service::ServiceError::Unauthenticated.into());
            }
            return Ok(Auth(p));
        }
        let Some(token) = cookie(parts, state.config.session_cookie()) else {
            return Err(roster_service::ServiceError::Unauthenticated.into());
        };
        let p = state.service.authenticate_for(token, want).await?;
        if p.kind() != SessionKind::Console {
            return Err(roster_service::ServiceError::Unauthenticated.into());
        }
        if !is_safe(&parts.method) {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !same_secret(sent, p.csrf_token()) {
                return Err(ApiError::new(
                    roster_core::ProblemCode::CsrfFailed,
                    "Send the X-CSRF-Token header with the session's CSRF token.",
                ));
            }
        }
        Ok(Auth(p))
    }
}

#[cfg(test)]
mod tests {
    use super::{Prefetch, prefetch};
    use axum::http::{Method, Request};
    use uuid::Uuid;

    fn wants(method: Method, uri: &str) -> Prefetch {
        let (parts, ()) = Request::builder().method(method).uri(uri).body(()).unwrap_or_default().into_parts();
        prefetch(&parts)
    }

    #[test]
    fn a_read_of_an_account_route_fetches_that_membership_and_me_fetches_all() {
        let a = Uuid::now_v7();
        assert_eq!(wants(Method::GET, &format!("/api/v1/accounts/{a}/users")), Prefetch::Membership(a));
        assert_eq!(wants(Method::GET, &format!("/api/v1/accounts/{a}/users?limit=5")), Prefetch::Membership(a));
        assert_eq!(wants(Method::GET, &format!("/api/v1/accounts/{a}")), Prefetch::Membership(a));
        assert_eq!(wants(Method::HEAD, &format!("/api/v1/accounts/{a}/contacts")), Prefetch::Membership(a));
        assert_eq!(wants(Method::GET, "/api/v1/me"), Prefetch::Memberships);
        // Writes read in their own transaction; anything else fetches nothing.
        assert_eq!(wants(Method::POST, &format!("/api/v1/accounts/{a}/users")), Prefetch::Nothing);
        assert_eq!(wants(Method::PATCH, "/api/v1/me"), Prefetch::Nothing);
        assert_eq!(wants(Method::GET, "/api/v1/me/sessions"), Prefetch::Nothing);
        assert_eq!(wants(Method::GET, "/api/v1/accounts/not-an-id/users"), Prefetch::Nothing);
        assert_eq!(wants(Method::GET, "/api/v1/accounts"), Prefetch::Nothing);
    }
}
