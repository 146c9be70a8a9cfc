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
    replica_behind(store, policy, "").await
}

/// A replica that believes `X-Forwarded-For` from `trusted_proxies` (`ROSTER_TRUSTED_PROXIES`).
async fn replica_behind(store: Arc<dyn Store>, policy: ThrottlePolicy, trusted_proxies: &str) -> Replica {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = Service::new(store, Hasher::for_tests().unwrap(), SessionPolicy::default()).with_throttle(policy);
    let mut config = WebConfig::new(url.clone());
    config.trusted_proxies = roster_web::TrustedProxies::parse(trusted_proxies).unwrap();
    let state = AppState::new(service, config);
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

    /// An API sign-in as a client at `from` (sent as `X-Forwarded-For`), optionally with a
    /// `Cookie` header; answers status, `Retry-After`, the body and the known-device cookie set.
    async fn sign_in_as(
        &self,
        from: &str,
        cookie: Option<&str>,
        login: &str,
        password: &str,
    ) -> (u16, Option<u64>, Value, Option<String>) {
        let mut req = self
            .client
            .post(format!("{}/api/v1/auth/token", self.url))
            .header("x-forwarded-for", from)
            .json(&json!({"login": login, "password": password}));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
        let device = device_cookie(&res);
        (status, retry_after, res.json().await.unwrap(), device)
    }

    async fn fail_from(&self, from: &str, login: &str, times: usize) {
        for i in 0..times {
            let (status, _, body, _) = self.sign_in_as(from, None, login, "not the password").await;
            assert_eq!((status, body["code"].as_str()), (401, Some("invalid_credentials")), "failure {i} from {from}");
        }
    }

    async fn fail(&self, login: &str, times: usize) {
        for i in 0..times {
            let (status, _, body) = self.sign_in(login, "not the password").await;
            assert_eq!((status, body["code"].as_str()), (401, Some("invalid_credentials")), "failure {i} of {login}");
        }
    }
}

/// `roster_device=…` from a response's `Set-Cookie`s.
fn device_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.starts_with("roster_device="))
        .map(str::to_owned)
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

/// Issue 14, item 9: 5 wrong guesses by anyone blocked the victim's correct password. Now the
/// block is per login and address: the guesser at X is stopped, the victim at Y signs in.
#[tokio::test]
async fn r_auth_7_five_guesses_from_one_address_do_not_block_the_victim_at_another() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let r = replica_behind(app.db.store.clone(), policy(Duration::from_secs(60)), "127.0.0.1/32").await;
        r.fail_from("203.0.113.66", ADA, 5).await;
        let (status, retry, body, _) = r.sign_in_as("203.0.113.66", None, ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")), "the guesser is blocked");
        assert!(retry.is_some());
        let (status, _, body, _) = r.sign_in_as("198.51.100.7", None, ADA, PASSWORD).await;
        assert_eq!(status, 200, "the victim at another address signs in: {body}");
    })
    .await;
}

/// Issue 14, item 9: 20 failures from one address blocked every sign-in from it, and behind a
/// proxy that was everyone. Through a trusted proxy each client is its own address.
#[tokio::test]
async fn r_auth_7_twenty_failures_behind_a_trusted_proxy_do_not_block_another_client() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let r = replica_behind(app.db.store.clone(), policy(Duration::from_secs(60)), "127.0.0.1, 10.0.0.0/8").await;
        for i in 0..20 {
            // The client's own (spoofed) entry first, then what the proxies appended.
            r.fail_from(&format!("6.6.6.{i}, 203.0.113.66, 10.0.0.2"), &format!("person{i}@example.test"), 1).await;
        }
        let (status, _, body, _) = r.sign_in_as("203.0.113.66", None, ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")), "that client is blocked");
        let (status, _, body, _) = r.sign_in_as("198.51.100.7, 10.0.0.2", None, ADA, PASSWORD).await;
        assert_eq!(status, 200, "another client behind the same proxy is not: {body}");
    })
    .await;
}

/// Without `ROSTER_TRUSTED_PROXIES`, `X-Forwarded-For` is the client's own claim and ignored:
/// changing it does not escape a block.
#[tokio::test]
async fn r_auth_7_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let r = replica(app.db.store.clone(), policy(Duration::from_secs(60))).await;
        for i in 0..5 {
            r.fail_from(&format!("203.0.113.{i}"), ADA, 1).await;
        }
        let (status, _, body, _) = r.sign_in_as("198.51.100.7", None, ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")), "{body}");
    })
    .await;
}

/// A browser that signed in before (its known-device cookie) signs in while the login is blocked
/// by failures from elsewhere (the login's total, its own address's), and is stopped only by its
/// own failures.
#[tokio::test]
async fn r_auth_7_a_known_device_signs_in_while_others_block_the_login() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let mut p = policy(Duration::from_secs(60));
        p.login_total.failures = 10;
        let r = replica_behind(app.db.store.clone(), p, "127.0.0.1").await;
        // Ada signs in at home: her browser gets the cookie.
        let (status, _, _, device) = r.sign_in_as("198.51.100.7", None, ADA, PASSWORD).await;
        assert_eq!(status, 200);
        let device = device.expect("a known-device cookie");
        // A guesser behind her café's address blocks that address's sign-ins to her login, and
        // guessers on five more addresses bring the login's total to its ceiling (10 here).
        r.fail_from("192.0.2.50", ADA, 5).await;
        for i in 0..5 {
            r.fail_from(&format!("203.0.113.{i}"), ADA, 1).await;
        }
        let (status, _, body, _) = r.sign_in_as("198.51.100.99", None, ADA, PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")), "a new browser is blocked");
        // Her browser is not, at home or at the café.
        let (status, _, body, renewed) = r.sign_in_as("198.51.100.7", Some(&device), ADA, PASSWORD).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(renewed.as_deref(), Some(device.as_str()), "the same device, signed again");
        let (status, _, body, _) = r.sign_in_as("192.0.2.50", Some(&device), ADA, PASSWORD).await;
        assert_eq!(status, 200, "{body}");
        // A cookie for another login, or a forged one, is no help.
        app.operator("bob@example.test").await;
        let (status, _, _, _) = r.sign_in_as("198.51.100.99", Some(&device), "bob@example.test", PASSWORD).await;
        assert_eq!(status, 200, "Bob is not blocked at all");
        let forged = format!(
            "roster_device={}0",
            device.trim_start_matches("roster_device=").trim_end_matches(|c: char| c.is_ascii_hexdigit())
        );
        let (status, _, _, _) = r.sign_in_as("198.51.100.99", Some(&forged), ADA, PASSWORD).await;
        assert_eq!(status, 429, "a forged cookie is no cookie");
        // Its own failures block it.
        for i in 0..5 {
            let (status, _, body, _) = r.sign_in_as("198.51.100.7", Some(&device), ADA, "wrong again").await;
            assert_eq!(status, 401, "own failure {i}: {body}");
        }
        let (status, retry, _, _) = r.sign_in_as("198.51.100.7", Some(&device), ADA, PASSWORD).await;
        assert_eq!((status, retry.is_some()), (429, true));
    })
    .await;
}

/// The known-device cookie from the console: HttpOnly, SameSite=Lax, a year, and signed.
#[tokio::test]
async fn r_auth_7_the_console_sets_a_known_device_cookie() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let res =
            app.client.post(app.at("/sign-in")).form(&[("login", ADA), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let cookies: Vec<String> =
            res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(cookies[0].starts_with("roster_session="), "the session cookie first: {cookies:?}");
        let device = cookies.iter().find(|c| c.starts_with("roster_device=")).expect("a device cookie");
        assert!(device.contains("HttpOnly") && device.contains("SameSite=Lax"), "{device}");
        assert!(device.contains(&format!("Max-Age={}", 365 * 24 * 3600)), "{device}");
        assert!(!device.contains('@'), "no email in it: {device}");
    })
    .await;
}

/// Issue 14, item 10: `current_password` checks were never throttled. Changing the password in
/// "My profile" and transferring ownership now answer 429 `too_many_attempts` with Retry-After.
#[tokio::test]
async fn r_auth_7_current_password_checks_are_throttled() {
    each_backend(|app| async move {
        let owner = app.operator(ADA).await;
        let r = replica(app.db.store.clone(), policy(Duration::from_secs(60))).await;
        let token = app.token(ADA, None).await;
        let account = app.create_account(&token, "Throttled Ltd").await;
        let heir = app.seed_members(account, "admin", &[("Hal", "Heir", "hal@example.test")]).await.remove(0);
        let token = app.token(ADA, Some(account)).await;
        let send = |path: String, body: Value| {
            let req = r.client.post(format!("{}{path}", r.url)).bearer_auth(&token).json(&body);
            async move {
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                (status, retry, res.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        for i in 0..5 {
            let body = json!({ "current_password": "not my password", "password": "amber kettle meadow" });
            let (status, _, res) = send("/api/v1/me/password".into(), body).await;
            assert_eq!((status, res["errors"][0]["field"].as_str()), (422, Some("current_password")), "{i}: {res}");
        }
        let body = json!({ "current_password": PASSWORD, "password": "amber kettle meadow" });
        let (status, retry, res) = send("/api/v1/me/password".into(), body).await;
        assert_eq!((status, res["code"].as_str()), (429, Some("too_many_attempts")), "{res}");
        assert!(retry.is_some());
        // The same check guards a transfer of ownership (the same person and address).
        let transfer = format!("/api/v1/accounts/{account}/transfer-ownership");
        let (status, retry, res) = send(transfer.clone(), json!({ "user_id": heir.id, "password": PASSWORD })).await;
        assert_eq!((status, res["code"].as_str()), (429, Some("too_many_attempts")), "{res}");
        assert!(retry.is_some());
        let m = app.db.store.read().await.unwrap().membership(account, owner.id).await.unwrap().unwrap();
        assert!(m.is_owner, "nothing moved");
        let rows = app.db.store.read().await.unwrap().audit_of_account(account, 100).await.unwrap();
        assert_eq!(rows.iter().filter(|r| r.action.as_str() == "auth.current_password_failed").count(), 5);
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_transfer_ownership_guesses_are_throttled() {
    each_backend(|app| async move {
        let owner = app.operator(ADA).await;
        let r = replica(app.db.store.clone(), policy(Duration::from_secs(60))).await;
        let token = app.token(ADA, None).await;
        let account = app.create_account(&token, "Guarded Ltd").await;
        let heir = app.seed_members(account, "admin", &[("Hal", "Heir", "hal@example.test")]).await.remove(0);
        let token = app.token(ADA, Some(account)).await;
        let path = format!("{}/api/v1/accounts/{account}/transfer-ownership", r.url);
        for i in 0..5 {
            let body = json!({ "user_id": heir.id, "password": format!("guess number {i}") });
            let res = r.client.post(&path).bearer_auth(&token).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 422, "guess {i}");
        }
        let body = json!({ "user_id": heir.id, "password": PASSWORD });
        let res = r.client.post(&path).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.headers().contains_key("retry-after"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "too_many_attempts");
        let m = app.db.store.read().await.unwrap().membership(account, owner.id).await.unwrap().unwrap();
        assert!(m.is_owner, "nothing moved");
    })
    .await;
}

/// The console's "My profile" password form says it plainly, at the field, with Retry-After.
#[tokio::test]
async fn r_auth_7_console_password_form_is_throttled_too() {
    each_backend(|app| async move {
        app.operator(ADA).await;
        let r = replica(app.db.store.clone(), policy(Duration::from_secs(60))).await;
        let res = r
            .client
            .post(format!("{}/sign-in", r.url))
            .form(&[("login", ADA), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let html =
            r.client.get(format!("{}/me", r.url)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        let csrf = roster_testkit::app::csrf_of(&html);
        let post = |current: &'static str| {
            r.client
                .post(format!("{}/me/password", r.url))
                .header("cookie", &cookie)
                .form(&[("csrf", csrf.as_str()), ("current_password", current), ("password", "amber kettle meadow")])
                .send()
        };
        for _ in 0..5 {
            assert_eq!(post("not my password").await.unwrap().status(), 422);
        }
        let res = post(PASSWORD).await.unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.headers().contains_key("retry-after"));
        let html = res.text().await.unwrap();
        assert!(html.contains("Too many attempts. Try again in 1 minute."), "{html}");
    })
    .await;
}
