//! No NUL character (U+0000) enters as text (issue 18, decision 0103): PostgreSQL cannot store
//! one (it answered 500) and SQLite stored it, so both backends refused differently. Every
//! request passes here before any extractor: a query string, a form body or a JSON body that
//! carries one is answered 422 naming the field (problem+json under `/api`, a page in the
//! console). CSV cells are refused by the importers' own cell readers, row by row.
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster_core::{FieldError, ProblemCode};

use crate::console::{MessagePage, PageError};
use crate::error::ApiError;

/// The most a form or JSON body is read here; the routes' own limit (1 MiB) is smaller, so a
/// larger body is refused as too large, as the extractor would.
const BODY_LIMIT: usize = 1024 * 1024;

const MESSAGE: &str = "Text cannot contain the NUL character (U+0000).";

/// The middleware.
pub async fn refuse_nul(req: Request<Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some(q) = req.uri().query()
        && q.contains("%00")
        && let Some(field) = nul_in_form(q.as_bytes())
    {
        return refused(api, &field);
    }
    let kind = body_kind(&req);
    if kind == BodyKind::Other {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(ProblemCode::BodyTooLarge, "The body is too large or could not be read.")
                .into_response();
        }
    };
    let found = match kind {
        BodyKind::Form => nul_in_form(&bytes),
        BodyKind::Json => nul_in_json(&bytes),
        BodyKind::Other => None,
    };
    if let Some(field) = found {
        return refused(api, &field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(req: &Request<Body>) -> BodyKind {
    let Some(t) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return BodyKind::Other;
    };
    let media = t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => BodyKind::Form,
        m if m == "application/json" || m.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Other,
    }
}

/// The first name of a `name=value` pair whose name or value holds a NUL once decoded.
pub fn nul_in_form(raw: &[u8]) -> Option<String> {
    if !raw.contains(&0) && !raw.windows(3).any(|w| w == b"%00") {
        return None;
    }
    form_urlencoded::parse(raw)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| if k.is_empty() || k.contains('\0') { "query".to_owned() } else { k.into_owned() })
}

/// The path (`steps[0].subject`) of the first string in `raw` that holds a NUL, or `body`
/// when it is a key. Not JSON: none (the extractor answers 400).
pub fn nul_in_json(raw: &[u8]) -> Option<String> {
    // The escape is the only way a JSON string holds a NUL (a raw one is not JSON).
    if !raw.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(raw).ok()?;
    find(&value, "")
}

fn find(v: &serde_json::Value, path: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body".to_owned() } else { path.to_owned() })
        }
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| find(item, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
            if k.contains('\0') {
                return Some(if path.is_empty() { "body".to_owned() } else { path.to_owned() });
            }
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            find(item, &p)
        }),
        _ => None,
    }
}

fn refused(api: bool, field: &str) -> Response {
    if api {
        return ApiError::new(ProblemCode::InvalidFields, "Some fields are invalid; see errors.")
            .with_errors(vec![FieldError { field: field.to_owned(), message: MESSAGE.to_owned() }])
            .into_response();
    }
    PageError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        MessagePage::new(
            "That text cannot be saved",
            &format!("“{field}” holds the NUL character (U+0000), which Roster does not store. Go back, remove it and send again."),
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_name_the_field() {
        assert_eq!(nul_in_form(b"a=1&company=x%00y"), Some("company".to_owned()));
        assert_eq!(nul_in_form(b"a=1&b=2"), None);
        assert_eq!(nul_in_form(b"a=%2500"), None);
        assert_eq!(nul_in_form(b"q=a\0b"), Some("q".to_owned()));
    }

    #[test]
    fn json_names_the_path() {
        assert_eq!(nul_in_json(br#"{"company":"a\u0000b"}"#), Some("company".to_owned()));
        assert_eq!(
            nul_in_json(br#"{"steps":[{"subject":"ok"},{"subject":"a\u0000"}]}"#),
            Some("steps[1].subject".to_owned())
        );
        // An escaped backslash followed by `u0000` is text, not a NUL.
        assert_eq!(nul_in_json(br#"{"note":"\\u0000"}"#), None);
        assert_eq!(nul_in_json(br#"{"note":"fine"}"#), None);
        assert_eq!(nul_in_json(br#""\u0000""#), Some("body".to_owned()));
    }
}
