//! PRODUCT.md §10, issue 14 items 8 and 10: the server bounds what a client can hold (a
//! header-read timeout that is also the idle keep-alive timeout, a cap on connections), marks
//! private answers `Cache-Control: no-store`, sends HSTS behind HTTPS, and names refuse bidi and
//! other format characters.
use std::time::{Duration, Instant};

use roster_service::{Hasher, Service, SessionPolicy};
use roster_testkit::app::{Answer, PASSWORD, TestApp, each_backend};
use roster_web::{AppState, WebConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

struct Server {
    addr: std::net::SocketAddr,
    url: String,
    _stop: oneshot::Sender<()>,
}

/// A server over the app's database with its own transport settings.
async fn server(app: &TestApp, public_url: Option<&str>, tune: impl FnOnce(&mut WebConfig)) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let service = Service::new(app.db.store.clone(), Hasher::for_tests().unwrap(), SessionPolicy::default());
    let mut config = WebConfig::new(public_url.unwrap_or(&url));
    tune(&mut config);
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(roster_web::serve(listener, AppState::new(service, config), async move {
        let _ = stopped.await;
    }));
    Server { addr, url, _stop: stop }
}

/// Reads until the server closes the connection (or `limit` passes): what it sent, and when it
/// closed (`None`: still open at `limit`).
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Option<Duration>) {
    let start = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), None),
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), Some(start.elapsed())),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Issue 14, item 8: a connection that sent half a request line stayed open forever, and about
/// 1,000 of them stopped the server. Now it is closed after the header-read timeout, and others
/// are served meanwhile.
#[tokio::test]
async fn sec_10_half_a_request_line_is_closed_after_the_header_timeout() {
    let app = roster_testkit::app::TestApp::builder().build().await;
    let s = server(&app, None, |c| c.header_read_timeout = Duration::from_millis(600)).await;
    let mut slow: Vec<TcpStream> = Vec::new();
    for _ in 0..20 {
        let mut c = TcpStream::connect(s.addr).await.unwrap();
        c.write_all(b"GET /healthz HT").await.unwrap();
        slow.push(c);
    }
    // Meanwhile the server answers others.
    let started = Instant::now();
    let res = reqwest::get(format!("{}/healthz", s.url)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(500), "answered at once: {:?}", started.elapsed());
    for (i, c) in slow.iter_mut().enumerate() {
        let (_, closed) = read_until_closed(c, Duration::from_secs(5)).await;
        let closed = closed.unwrap_or_else(|| panic!("connection {i} still open after 5 s"));
        assert!(closed < Duration::from_secs(3), "connection {i} closed after {closed:?}");
    }
}

/// A kept-alive connection that goes quiet after its answer is closed after the same timeout.
#[tokio::test]
async fn sec_10_an_idle_keep_alive_connection_is_closed() {
    let app = roster_testkit::app::TestApp::builder().build().await;
    let s = server(&app, None, |c| c.header_read_timeout = Duration::from_millis(500)).await;
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (seen, closed) = read_until_closed(&mut c, Duration::from_secs(5)).await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    let closed = closed.expect("closed while idle");
    assert!(closed >= Duration::from_millis(400) && closed < Duration::from_secs(3), "after {closed:?}");
}

/// Over the cap the server stops accepting until a connection closes: a third client waits for
/// one of two silent ones to time out, then is served.
#[tokio::test]
async fn sec_10_connections_are_capped() {
    let app = roster_testkit::app::TestApp::builder().build().await;
    let s = server(&app, None, |c| {
        c.header_read_timeout = Duration::from_millis(800);
        c.max_connections = 2;
    })
    .await;
    let _a = TcpStream::connect(s.addr).await.unwrap();
    let _b = TcpStream::connect(s.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(s.addr).await.unwrap(); // the kernel's backlog takes it
    let started = Instant::now();
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let (seen, _) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    let waited = started.elapsed();
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(waited >= Duration::from_millis(500), "served only once a slot freed: {waited:?}");
}

/// Issue 14, item 10: token answers and signed-in pages lacked `Cache-Control: no-store`.
#[tokio::test]
async fn sec_10_private_answers_are_no_store() {
    each_backend(|app| async move {
        app.operator("ada@example.test").await;
        let body = json!({ "login": "ada@example.test", "password": PASSWORD });
        let res = app.client.post(app.at("/api/v1/auth/token")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store", "the token answer");
        let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
        let res = app.client.get(app.at("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!((res.status().as_u16(), &res.headers()["cache-control"]), (200, &"no-store".parse().unwrap()));
        let bad =
            app.client.post(app.at("/api/v1/auth/token")).json(&json!({"login": "x@y.test", "password": "nope nope"}));
        assert_eq!(bad.send().await.unwrap().headers()["cache-control"], "no-store", "a refused sign-in too");
        let cookie = app.console_sign_in("ada@example.test").await;
        let res = app.client.get(app.at("/me")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!((res.status().as_u16(), &res.headers()["cache-control"]), (200, &"no-store".parse().unwrap()));
        // Public pages and the stylesheet stay cacheable.
        let res = app.client.get(app.at("/sign-in")).send().await.unwrap();
        assert!(res.headers().get("cache-control").is_none());
        let res = app.client.get(app.at("/static/roster.css")).header("cookie", &cookie).send().await.unwrap();
        assert_ne!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
        // No HSTS on plain HTTP.
        assert!(res.headers().get("strict-transport-security").is_none());
    })
    .await;
}

/// Issue 14, item 10: no HSTS with an https:// public URL.
#[tokio::test]
async fn sec_10_hsts_when_the_public_url_is_https() {
    let app = roster_testkit::app::TestApp::builder().build().await;
    let s = server(&app, Some("https://roster.example.test"), |_| {}).await;
    for path in ["/healthz", "/sign-in", "/api/v1/me"] {
        let res = reqwest::get(format!("{}{path}", s.url)).await.unwrap();
        assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains", "{path}");
    }
    let plain = server(&app, None, |_| {}).await;
    let res = reqwest::get(format!("{}/healthz", plain.url)).await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}

/// Issue 14, item 10: names accepted U+202E (right-to-left override) and other format
/// characters. Every person-visible name now answers 422 naming the field.
#[tokio::test]
async fn sec_10_names_refuse_bidi_and_format_characters() {
    each_backend(|app| async move {
        app.operator("ada@example.test").await;
        let token = app.token("ada@example.test", None).await;
        let evil = "Ann\u{202E}gpj.exe";
        let Answer { status, body } = app.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(json!({ "first_name": evil }))).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("first_name")), "{body}");
        let Answer { status, body } = app.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(json!({ "last_name": "Lee\u{2066}" }))).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("last_name")), "{body}");
        let Answer { status, body } = app.post_json("/api/v1/accounts", Some(&token), &json!({ "name": "Acme\u{200F}" })).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("name")), "{body}");
        let account = app.create_account(&token, "Names Ltd").await;
        let token = app.token("ada@example.test", Some(account)).await;
        let path = format!("/api/v1/accounts/{account}/users");
        for (field, value) in [("first_name", evil), ("company", "Acme\u{202E}"), ("username", "ann\u{200B}ie"), ("phone", "555\u{2067}")] {
            let mut person = json!({ "email": "new@example.test", "first_name": "New", "last_name": "Person", "send_welcome": false });
            person[field] = json!(value);
            let Answer { status, body } = app.post_json(&path, Some(&token), &person).await;
            assert_eq!(status, 422, "{field}: {body}");
            assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {body}");
        }
        let roles = format!("/api/v1/accounts/{account}/roles");
        let Answer { status, body } = app.post_json(&roles, Some(&token), &json!({ "name": "Boss\u{202E}", "permissions": [] })).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("name")), "{body}");
        // Names in other scripts, with the joiners they need, are fine.
        let Answer { status, body } = app.send(reqwest::Method::PATCH, "/api/v1/me", &token, Some(json!({ "first_name": "محمدی\u{200C}پور" }))).await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}
