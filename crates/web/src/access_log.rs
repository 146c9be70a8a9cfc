//! The request id and the access log: every answer carries an `x-request-id` (the caller's own,
//! when it sent a plain one), and at `info` one line per answered request names its method,
//! path, status, time and id. The id is also readable while the request runs
//! ([`current_request_id`]), so an error logged on its way out names the request it belongs to.
//!
//! One event a request, no span: a span per request (formatted fields, entered on every poll)
//! and a random UUID per request cost about a fifth of `GET /me`'s time (decision 0108). Under
//! `debug` the request still runs in a `request` span, so every event it logs carries its id.
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// A caller's id is kept when it is this short and plain (visible ASCII): anything else is
/// replaced, so a log line never carries a long or strange id.
const MAX_CALLER_ID: usize = 128;

tokio::task_local! {
    static CURRENT: HeaderValue;
}

/// The id of the request this task serves, or `-` outside one.
pub(crate) fn current_request_id() -> String {
    CURRENT.try_with(|v| v.to_str().unwrap_or("-").to_owned()).unwrap_or_else(|_| "-".to_owned())
}

/// A new id: a random prefix drawn once per process (the random half of a UUIDv7) and a counter, written as a UUID
/// (unique across replicas in practice, never reused within one; not a secret).
fn new_id() -> HeaderValue {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::now_v7().as_u64_pair().1);
    let id = uuid::Uuid::from_u64_pair(prefix, NEXT.fetch_add(1, Ordering::Relaxed));
    let mut buf = uuid::Uuid::encode_buffer();
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut buf)).unwrap_or(HeaderValue::from_static("-"))
}

fn caller_id(req: &Request<Body>) -> Option<HeaderValue> {
    let v = req.headers().get(&REQUEST_ID)?;
    let plain = !v.is_empty() && v.len() <= MAX_CALLER_ID && v.as_bytes().iter().all(|b| b.is_ascii_graphic());
    plain.then(|| v.clone())
}

/// The outermost layer: sets the id, runs the request with it, logs the answer.
pub(crate) async fn log_access(mut req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let id = caller_id(&req).unwrap_or_else(new_id);
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let logged = tracing::enabled!(tracing::Level::INFO);
    // Only what the line needs, and only when it is written.
    let line = logged.then(|| (req.method().clone(), req.uri().path().to_owned()));
    let run = CURRENT.scope(id.clone(), next.run(req));
    let mut res = if tracing::enabled!(tracing::Level::DEBUG) {
        let (method, path) = line.as_ref().map_or(("", ""), |(m, p)| (m.as_str(), p.as_str()));
        let span = tracing::debug_span!("request", method, path, request_id = id.to_str().unwrap_or("-"));
        run.instrument(span).await
    } else {
        run.await
    };
    if let Some((method, path)) = line {
        tracing::info!(
            method = method.as_str(),
            path,
            status = res.status().as_u16(),
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            request_id = id.to_str().unwrap_or("-"),
            "answered"
        );
    }
    res.headers_mut().insert(REQUEST_ID, id);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_differ_and_read_as_uuids() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        for v in [a, b] {
            assert!(v.to_str().ok().and_then(|s| uuid::Uuid::parse_str(s).ok()).is_some(), "{v:?}");
        }
    }

    #[test]
    fn a_plain_caller_id_is_kept_and_a_strange_one_replaced() {
        let with = |v: &[u8]| {
            let mut r = Request::new(Body::empty());
            if let Ok(v) = HeaderValue::from_bytes(v) {
                r.headers_mut().insert(REQUEST_ID, v);
            }
            caller_id(&r)
        };
        assert_eq!(with(b"trace-42"), Some(HeaderValue::from_static("trace-42")));
        assert_eq!(with(b"has space"), None);
        assert_eq!(with(&[b'a'; 129]), None);
        assert_eq!(with(b""), None);
    }

    /// A writer the test reads back: every line the subscriber writes.
    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Lines {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn answer(router: axum::Router, id: Option<&'static str>) -> Response {
        use tower::ServiceExt;
        let mut req = Request::builder().uri("/x?secret=1");
        if let Some(id) = id {
            req = req.header("x-request-id", id);
        }
        let req = req.body(Body::empty()).unwrap_or_default();
        match router.oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn one_line_per_answer_and_errors_carry_the_request_id() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let router = axum::Router::new()
            .route(
                "/x",
                axum::routing::get(|| async {
                    tracing::error!(request_id = %current_request_id(), "internal error");
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                }),
            )
            .layer(axum::middleware::from_fn(log_access));
        let res = answer(router.clone(), Some("caller-7")).await;
        assert_eq!(res.headers().get("x-request-id"), Some(&HeaderValue::from_static("caller-7")));
        let res = answer(router, None).await;
        let given = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(uuid::Uuid::parse_str(&given).is_ok(), "{given}");

        let text = String::from_utf8(lines.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
        let lines: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        assert_eq!(lines.len(), 4, "{text}");
        for (i, id) in [(0, "caller-7"), (2, given.as_str())] {
            let (error, answered) = (&lines[i]["fields"], &lines[i + 1]["fields"]);
            assert_eq!(error["message"], "internal error");
            assert_eq!(error["request_id"], id);
            assert_eq!(answered["message"], "answered");
            assert_eq!(answered["method"], "GET");
            // The path without its query string: a query may carry a secret.
            assert_eq!(answered["path"], "/x");
            assert_eq!(answered["status"], 500);
            assert_eq!(answered["request_id"], id);
        }
        assert!(!text.contains("secret"));
    }
}
