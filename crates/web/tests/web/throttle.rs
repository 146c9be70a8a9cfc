//! R-AUTH-7: failed sign-ins are throttled per login and per address, with the state in the
//! database. Each test runs a server with a throttle policy of its own (delays chosen so nothing
//! sleeps long) over the `TestApp`'s database, on both backends.
use std::sync::Arc;
use std::time::Duration;

use reqwest::Response;
use roster_service::{Hasher, Service, SessionPolicy, ThrottlePolicy};
use roster_store::Store;
use roster_testkit::app::{PASSWORD, TestApp, each_backend};
use roster_web::{AppState, WebConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;

const ADA: &str = "ada@example.test";

/// The default policy with another first delay (a minute: no test is slow enough to see it end).
fn policy(first_delay: Duration) -> ThrottlePolicy {
    let mut p = ThrottlePolicy::default();
    p.login.first_delay = first_delay;
    p.address.first_delay = first_delay;
    p
}

/// One more server ("replica") over `store` with its own throttle policy; stops when dropped.
struct Replica {
    url: String,
    client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

async fn replica(store: Arc<dyn Store>, policy: ThrottlePolicy) -> Replica {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = Service::new(store, Hasher::for_tests().unwrap(), SessionPolicy::default()).with_throttle(policy);
    let state = AppState::new(service, WebConfig::new(url.clone()));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(roster_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Replica { url, client, _stop: stop }
}

impl Replica {
    async fn token(&self, login: &str, password: &str) -> Response {
        let body = json!({"login": login, "password": password});
        self.client.post(format!("{}/api/v1/auth/token", self.url)).json(&body).send().await.unwrap()
    }

    /// Status, `Retry-After` and body of an API sign-in.
    async fn sign_in(&self, login: &str, password: &str) -> (u16, Option<u64>, Value) {
        let res = self.token(login, password).await;
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
        (status, retry_after, res.json().await.unwrap())
    }

    async fn fail(&self, login: &str, times: usize) {
        for i in 0..times {
            let (status, _, body) = self.sign_in(login, "not the password").await;
            assert_eq!((status, body["code"].as_str()), (401, Some("invalid_credentials")), "failure {i} of {login}");
        }
    }
}

async fn with_ada(app: &TestApp, first_delay: Duration) -> Replica {
    app.operator(ADA).await;
    replica(app.db.store.clone(), policy(first_delay)).await
}

#[tokio::test]
async fn r_auth_7_five_failures_then_429_with_retry_after() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_secs(60)).await;
        r.fail(ADA, 3).await;
        r.fail("ADA@Example.test", 2).await; // the same login, however it is written
        let res = r.token(ADA, "not the password").await;
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((55..=60).contains(&retry), "Retry-After {retry}: whole seconds left of the minute");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], 429);
        assert_eq!(body["code"], "too_many_attempts");
        assert_eq!(body["rule"], "R-AUTH-7");
        assert_eq!(body["detail"], "Too many attempts. Try again in 1 minute.");
        // While blocked, even the right password is not looked at.
        let (status, retry, body) = r.sign_in(ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")));
        assert!(retry.is_some());
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_unknown_login_is_throttled_the_same_way() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_secs(60)).await;
        let mut answers = Vec::new();
        for login in [ADA, "nobody@example.test"] {
            let mut seen = Vec::new();
            for _ in 0..7 {
                let (status, retry, body) = r.sign_in(login, "not the password").await;
                seen.push((status, retry.is_some(), body));
            }
            answers.push(seen);
        }
        let statuses: Vec<u16> = answers[0].iter().map(|a| a.0).collect();
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
        assert_eq!(answers[0], answers[1], "status, Retry-After and body alike for an unknown login");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_a_success_resets_the_count() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_secs(60)).await;
        for round in 0..3 {
            r.fail(ADA, 4).await;
            let (status, _, _) = r.sign_in(ADA, PASSWORD).await;
            assert_eq!(status, 200, "round {round}: four failures and a success leave nothing behind");
        }
        r.fail(ADA, 5).await;
        assert_eq!(r.sign_in(ADA, PASSWORD).await.0, 429, "five in a row still block");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_the_block_ends_by_itself() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_millis(500)).await;
        r.fail(ADA, 5).await;
        let (status, retry, _) = r.sign_in(ADA, PASSWORD).await;
        assert_eq!((status, retry), (429, Some(1)), "half a second left rounds up to one");
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The sixth failure blocks for twice as long.
        r.fail(ADA, 1).await;
        assert_eq!(r.sign_in(ADA, PASSWORD).await.0, 429);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        assert_eq!(r.sign_in(ADA, PASSWORD).await.0, 200, "the right password works once the block is over");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_console_shows_a_plain_message_and_keeps_the_login() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_secs(60)).await;
        let post = |password: &'static str| {
            r.client.post(format!("{}/sign-in", r.url)).form(&[("login", ADA), ("password", password)]).send()
        };
        for _ in 0..5 {
            assert_eq!(post("wrong password 1").await.unwrap().status(), 401);
        }
        let res = post("wrong password 2").await.unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.headers().contains_key("retry-after"));
        let html = res.text().await.unwrap();
        assert!(html.contains("Too many attempts. Try again in 1 minute."), "{html}");
        assert!(html.contains(&format!("value=\"{ADA}\"")), "the typed login is kept");
        assert!(!html.contains("wrong password"), "the password is not");
        assert!(!html.contains("The login or password is wrong."), "nothing is said about the password");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_two_replicas_share_the_throttle_state() {
    each_backend(|app| async move {
        let a = with_ada(&app, Duration::from_secs(60)).await;
        let b = replica(app.db.open_again().await, policy(Duration::from_secs(60))).await;
        a.fail(ADA, 3).await;
        b.fail(ADA, 2).await;
        assert_eq!(a.sign_in(ADA, PASSWORD).await.0, 429, "failures on the other replica count here");
        assert_eq!(b.sign_in(ADA, PASSWORD).await.0, 429);
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_one_address_cannot_spray_many_logins() {
    each_backend(|app| async move {
        let r = with_ada(&app, Duration::from_secs(60)).await;
        // 20 failures from one address (127.0.0.1), on 20 logins that each stay under their limit.
        for i in 0..20 {
            r.fail(&format!("person{i}@example.test"), 1).await;
        }
        let (status, retry, body) = r.sign_in(ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")), "{body}");
        assert!(retry.is_some());
    })
    .await;
}
