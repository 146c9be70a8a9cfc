//! `spawn_app()`: a real server on 127.0.0.1 port 0 over a fresh database, and helpers to
//! sign in and to seed members directly through the store.
use std::net::SocketAddr;

use std::time::Duration;

use roster_service::{DeliveryOptions, Hasher, MailConfig, MailPolicy, NewPerson, Service, SessionPolicy};
use roster_store::{Backend, MembershipRow, UserRow};
use roster_web::{AppState, WebConfig};
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::db::{TestDb, fresh_db};
use crate::smtp::SmtpSink;

/// The backend web tests run on: `ROSTER_TEST_BACKEND=postgres` or SQLite by default.
pub fn backend_from_env() -> Backend {
    match std::env::var("ROSTER_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub db: TestDb,
    pub service: Service,
    pub client: reqwest::Client,
    /// The SMTP sink the installation delivers to (when started with one).
    pub smtp: SmtpSink,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs one test body against an app on every available backend (SQLite always, PostgreSQL
/// when reachable; under `CI=true` PostgreSQL is required).
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in crate::db::backends().await {
        eprintln!("-- on {backend:?}");
        test(spawn_app_on(backend).await).await;
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(backend_from_env()).await
}

/// An app whose installation delivers to its own [`SmtpSink`] (`app.smtp`), with a delivery
/// worker that polls often and retries after 200 ms instead of minutes.
pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(backend, true).await
}

/// Test delivery pacing: quick polls, short backoff.
pub fn test_delivery() -> DeliveryOptions {
    DeliveryOptions {
        concurrency: 8,
        lease: Duration::from_secs(30),
        idle_poll: Duration::from_millis(50),
        smtp_timeout: Duration::from_secs(5),
        backoff: [Duration::from_millis(200); 5],
    }
}

/// An app; with `installation_smtp` false, the installation has no server (mail stays queued
/// unless an account sets its own), though `app.smtp` is still started for accounts to use.
pub async fn spawn_app_with(backend: Backend, installation_smtp: bool) -> TestApp {
    spawn_app_opts(backend, AppOptions { installation_smtp, ..AppOptions::default() }).await
}

/// How a test app is set up.
#[derive(Debug, Clone, Copy)]
pub struct AppOptions {
    /// The installation delivers to `app.smtp` (else it has no server).
    pub installation_smtp: bool,
    /// `ROSTER_OPEN_REGISTRATION`.
    pub open_registration: bool,
    /// Egress and quotas (R-MAIL-7). Tests allow private servers by default (`app.smtp` listens
    /// on 127.0.0.1 on a random port); the R-MAIL-7 tests turn it off.
    pub mail: MailPolicy,
}

/// The mail policy of test apps: [`MailPolicy::default`] with private servers allowed.
pub fn test_mail_policy() -> MailPolicy {
    MailPolicy { allow_private_smtp: true, ..MailPolicy::default() }
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { installation_smtp: true, open_registration: false, mail: test_mail_policy() }
    }
}

pub async fn spawn_app_opts(backend: Backend, opts: AppOptions) -> TestApp {
    let installation_smtp = opts.installation_smtp;
    let db = fresh_db(backend).await;
    let smtp = SmtpSink::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let url = format!("http://{addr}");
    let mut mail = MailConfig::local(&url).expect("mail config");
    mail.from = "Roster Test <roster@example.test>".to_owned();
    mail.policy = opts.mail;
    if installation_smtp {
        mail.smtp = Some(roster_mail::SmtpTarget::from_url(&smtp.url()).expect("sink url"));
    }
    let service = Service::new(db.store.clone(), Hasher::for_tests().expect("hasher"), SessionPolicy::default())
        .with_mail(mail)
        .with_open_registration(opts.open_registration);
    let state = AppState::new(service.clone(), WebConfig::new(url.clone()));
    let worker = service.delivery_worker(test_delivery()).expect("delivery worker");
    let (stop, stopped) = oneshot::channel::<()>();
    let (stop_worker, worker_stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = roster_web::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
        let _ = stop_worker.send(());
    });
    tokio::spawn(worker.run(async move {
        let _ = worker_stopped.await;
    }));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { addr, url, db, service, client, smtp, stop: Some(stop) }
}

/// A person the tests can sign in as.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub password: String,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// An operator made through the service, as `roster operator create` does.
    pub async fn operator(&self, email: &str) -> TestUser {
        let person = NewPerson {
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            email: email.into(),
            password: PASSWORD.into(),
        };
        let u = self.service.create_operator(&person).await.expect("create operator");
        TestUser { id: u.id, email: u.email, password: PASSWORD.into() }
    }

    /// A bearer token for `login`, optionally acting in `account_id`.
    pub async fn token(&self, login: &str, account_id: Option<Uuid>) -> String {
        let body = serde_json::json!({"login": login, "password": PASSWORD, "account_id": account_id});
        let res = self.client.post(self.at("/api/v1/auth/token")).json(&body).send().await.expect("send");
        assert_eq!(res.status(), 200, "sign-in of {login} failed");
        let v: Value = res.json().await.expect("json");
        v["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Creates an account through the API and returns its id.
    pub async fn create_account(&self, token: &str, name: &str) -> Uuid {
        let res = self
            .client
            .post(self.at("/api/v1/accounts"))
            .bearer_auth(token)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.expect("json");
        Uuid::parse_str(v["id"].as_str().expect("id")).expect("uuid")
    }

    /// Seeds users with a membership in `account_id`, straight through the store (the team
    /// issue brings the use case; these tests only need people to exist). One transaction.
    pub async fn seed_members(&self, account_id: Uuid, role: &str, people: &[(&str, &str, &str)]) -> Vec<TestUser> {
        let hash = Hasher::for_tests().expect("hasher");
        let pw = roster_core::Password::parse(PASSWORD).expect("password");
        let password_hash = hash.hash(&pw).await.expect("hash");
        let mut tx = self.db.store.begin().await.expect("begin");
        let mut out = Vec::new();
        for (first, last, email) in people {
            let now = time::OffsetDateTime::now_utc();
            let user = UserRow {
                id: Uuid::now_v7(),
                email: (*email).to_owned(),
                username: None,
                first_name: (*first).to_owned(),
                last_name: (*last).to_owned(),
                phone: None,
                company: None,
                password_hash: Some(password_hash.clone()),
                time_zone: "UTC".into(),
                is_operator: false,
                email_verified_at: Some(now),
                created_at: now,
                updated_at: now,
            };
            tx.insert_user(&user).await.expect("insert user");
            let role = roster_core::RoleKind::parse(role).expect("a role key");
            tx.insert_membership(&MembershipRow::new(account_id, user.id, role, now)).await.expect("insert membership");
            out.push(TestUser { id: user.id, email: user.email, password: PASSWORD.into() });
        }
        tx.commit().await.expect("commit");
        out
    }

    /// GET with a bearer token, returning status and JSON body (Null when not JSON).
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.at(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// POST a JSON body with a bearer token.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.client.post(self.at(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A request with a bearer token and an optional JSON body; status and JSON (Null if none).
    pub async fn send(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.client.request(method, self.at(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Signs in through the console form with [`PASSWORD`]; returns the `Cookie` header value.
    pub async fn console_sign_in(&self, login: &str) -> String {
        let form = [("login", login), ("password", PASSWORD)];
        let res = self.client.post(self.at("/sign-in")).form(&form).send().await.expect("send");
        assert_eq!(res.status(), 303, "sign-in should redirect");
        let set_cookie = res.headers()["set-cookie"].to_str().expect("ascii").to_owned();
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }

    /// A console page with a session cookie: status and HTML.
    pub async fn page(&self, path: &str, cookie: &str) -> (u16, String) {
        let res = self.client.get(self.at(path)).header("cookie", cookie).send().await.expect("send");
        (res.status().as_u16(), res.text().await.expect("body"))
    }
}

/// The CSRF token in a console page's first form.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap_or_default().to_owned()
}
