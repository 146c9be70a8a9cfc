//! [`TestApp`]: a real server on 127.0.0.1 port 0 over a fresh database, made by one builder
//! ([`TestApp::builder`]), with typed people ([`TestUser`]) and typed answers ([`Answer`],
//! [`Page`]) instead of `(u16, Value)` tuples.
//!
//! ```ignore
//! let app = TestApp::builder().backend(Backend::Postgres).installation_smtp(false).build().await;
//! let owner = app.owner("Acme").await;
//! let sam = app.member_with(&owner, "employee").await;
//! app.get_json(&format!("/api/v1/accounts/{}/users", owner.account()), Some(sam.bearer())).await.assert_status(200);
//! ```
use std::fmt;
use std::net::SocketAddr;
use std::ops::Index;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use roster_service::{DeliveryOptions, Hasher, MailConfig, MailPolicy, NewPerson, Service, SessionPolicy};
use roster_store::{Backend, MembershipRow, UserRow};
use roster_web::{AppState, WebConfig};
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::db::{TestDb, fresh_db};
use crate::smtp::SmtpSink;

/// The backend a single app runs on when the builder is not told: `ROSTER_TEST_BACKEND=postgres`
/// or SQLite by default.
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
    /// The SMTP sink the installation delivers to (when built with one).
    pub smtp: SmtpSink,
    /// Numbers the people [`TestApp::member_with`] makes.
    people: AtomicU32,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs one test body against a default app ([`TestApp::builder`]) on every available backend
/// (SQLite always, PostgreSQL when reachable; under `CI=true` PostgreSQL is required).
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    TestApp::builder().each_backend(test).await;
}

/// Test delivery pacing: quick polls, short backoff.
pub fn test_delivery() -> DeliveryOptions {
    DeliveryOptions {
        concurrency: 8,
        lease: Duration::from_secs(30),
        send_deadline: Duration::from_secs(20),
        idle_poll: Duration::from_millis(50),
        smtp_timeout: Duration::from_secs(5),
        backoff: [Duration::from_millis(200); 5],
    }
}

/// How a test app is set up; the builder's settings, also settable at once with
/// [`TestAppBuilder::options`].
#[derive(Debug, Clone, Copy)]
pub struct AppOptions {
    /// The installation delivers to `app.smtp` (else it has no server: mail stays queued unless
    /// an account sets its own; `app.smtp` is still started for accounts to use).
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

/// Builds a [`TestApp`]: by default on [`backend_from_env`], delivering to its own SMTP sink
/// with a worker that polls often and retries after 200 ms, registration closed, private SMTP
/// servers allowed.
#[derive(Debug, Clone, Copy, Default)]
#[must_use]
pub struct TestAppBuilder {
    backend: Option<Backend>,
    opts: AppOptions,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }
}

impl TestAppBuilder {
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Whether the installation delivers to `app.smtp` (default: yes).
    pub fn installation_smtp(mut self, on: bool) -> Self {
        self.opts.installation_smtp = on;
        self
    }

    /// `ROSTER_OPEN_REGISTRATION` on.
    pub fn open_registration(mut self) -> Self {
        self.opts.open_registration = true;
        self
    }

    /// The installation's mail policy (default [`test_mail_policy`]).
    pub fn mail_policy(mut self, policy: MailPolicy) -> Self {
        self.opts.mail = policy;
        self
    }

    /// Every setting at once.
    pub fn options(mut self, opts: AppOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Runs `test` against an app built like this on every backend from [`crate::backends`]
    /// (a backend given to [`TestAppBuilder::backend`] is ignored).
    pub async fn each_backend<F, Fut>(self, test: F)
    where
        F: Fn(TestApp) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        for backend in crate::db::backends().await {
            eprintln!("-- on {backend:?}");
            test(self.backend(backend).build().await).await;
        }
    }

    pub async fn build(self) -> TestApp {
        let opts = self.opts;
        let db = fresh_db(self.backend.unwrap_or_else(backend_from_env)).await;
        let smtp = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let url = format!("http://{addr}");
        let mut mail = MailConfig::local(&url).expect("mail config");
        mail.from = "Roster Test <roster@example.test>".to_owned();
        mail.policy = opts.mail;
        if opts.installation_smtp {
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
        TestApp { addr, url, db, service, client, smtp, people: AtomicU32::new(0), stop: Some(stop) }
    }
}

/// An answer of the API: its status and its JSON body (`Null` when the body is not JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// Panics, showing the body, unless the status is `want`; returns the answer for chaining.
    #[track_caller]
    pub fn assert_status(&self, want: u16) -> &Self {
        assert_eq!(self.status, want, "expected {want}, got {self}");
        self
    }

    /// The problem's `code` (`None` when there is none).
    pub fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }

    /// The rule a refusal names (`R-…`).
    pub fn rule(&self) -> Option<&str> {
        self.body["rule"].as_str()
    }

    /// The body's `id` as a UUID; panics when there is none.
    #[track_caller]
    pub fn id(&self) -> Uuid {
        let id = self.body["id"].as_str().unwrap_or_else(|| panic!("no id in {self}"));
        Uuid::parse_str(id).unwrap_or_else(|e| panic!("id {id} is not a uuid: {e}"))
    }

    /// A list's `items`; panics when there are none.
    #[track_caller]
    pub fn items(&self) -> &[Value] {
        self.body["items"].as_array().unwrap_or_else(|| panic!("no items in {self}"))
    }
}

impl Index<&str> for Answer {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.body[key]
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// A console page: its status and its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub status: u16,
    pub html: String,
}

impl Page {
    /// Panics, showing the page, unless the status is `want`.
    #[track_caller]
    pub fn assert_status(&self, want: u16) -> &Self {
        assert_eq!(self.status, want, "expected {want}, got {}", self.html);
        self
    }
}

/// A person the tests act as: who they are, the password they sign in with and, once signed in
/// ([`TestApp::sign_in`], [`TestApp::owner`], [`TestApp::member_with`]), their bearer token and
/// the account it acts in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    /// A bearer token, when signed in.
    pub token: Option<String>,
    /// The account the token acts in (and, for [`TestApp::owner`], the account they own).
    pub account: Option<Uuid>,
}

impl TestUser {
    fn new(id: Uuid, email: String) -> Self {
        Self { id, email, password: PASSWORD.into(), token: None, account: None }
    }

    /// The bearer token; panics when this person was never signed in.
    #[track_caller]
    pub fn bearer(&self) -> &str {
        self.token.as_deref().unwrap_or_else(|| panic!("{} is not signed in", self.email))
    }

    /// The account; panics when there is none.
    #[track_caller]
    pub fn account(&self) -> Uuid {
        self.account.unwrap_or_else(|| panic!("{} has no account", self.email))
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// An operator made through the service, as `roster operator create` does (not signed in).
    pub async fn operator(&self, email: &str) -> TestUser {
        let person = NewPerson {
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            email: email.into(),
            password: PASSWORD.into(),
        };
        let u = self.service.create_operator(&person).await.expect("create operator");
        TestUser::new(u.id, u.email)
    }

    /// `owner@example.test`, an operator who created the account `name` through the API and
    /// owns it: signed in once, with the token that created it (not bound to an account).
    pub async fn owner(&self, name: &str) -> TestUser {
        let owner = self.operator("owner@example.test").await;
        let token = self.token(&owner.email, None).await;
        let account = self.create_account(&token, name).await;
        TestUser { token: Some(token), account: Some(account), ..owner }
    }

    /// A new member of `owner`'s account holding `role` (a built-in key or a custom role's id),
    /// seeded through the store, signed in with a token for that account.
    pub async fn member_with(&self, owner: &TestUser, role: &str) -> TestUser {
        let n = self.people.fetch_add(1, Ordering::Relaxed) + 1;
        let email = format!("{role}-{n}@example.test").to_lowercase();
        let account = owner.account();
        let member = self.seed_members(account, role, &[("Member", role, &email)]).await.remove(0);
        self.sign_in(&member, Some(account)).await
    }

    /// The same person with a fresh bearer token, acting in `account_id` when given.
    pub async fn sign_in(&self, user: &TestUser, account_id: Option<Uuid>) -> TestUser {
        let token = self.token(&user.email, account_id).await;
        TestUser { token: Some(token), account: account_id.or(user.account), ..user.clone() }
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
        self.post_json("/api/v1/accounts", Some(token), &serde_json::json!({"name": name}))
            .await
            .assert_status(201)
            .id()
    }

    /// Seeds users with a membership in `account_id`, straight through the store (fast, no
    /// welcome mail, address proved). One transaction.
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
            out.push(TestUser::new(user.id, user.email));
        }
        tx.commit().await.expect("commit");
        out
    }

    /// GET with an optional bearer token.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = self.client.get(self.at(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        answer(req).await
    }

    /// POST a JSON body with an optional bearer token.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut req = self.client.post(self.at(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        answer(req).await
    }

    /// A request with a bearer token and an optional JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> Answer {
        let mut req = self.client.request(method, self.at(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req).await
    }

    /// Signs in through the console form with [`PASSWORD`]; returns the `Cookie` header value.
    pub async fn console_sign_in(&self, login: &str) -> String {
        let form = [("login", login), ("password", PASSWORD)];
        let res = self.client.post(self.at("/sign-in")).form(&form).send().await.expect("send");
        assert_eq!(res.status(), 303, "sign-in should redirect");
        let set_cookie = res.headers()["set-cookie"].to_str().expect("ascii").to_owned();
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }

    /// A console page with a session cookie.
    pub async fn page(&self, path: &str, cookie: &str) -> Page {
        let res = self.client.get(self.at(path)).header("cookie", cookie).send().await.expect("send");
        Page { status: res.status().as_u16(), html: res.text().await.expect("body") }
    }
}

/// Sends `req` and reads the answer.
pub async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    Answer { status, body: res.json().await.unwrap_or(Value::Null) }
}

/// The CSRF token in a console page's first form.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap_or_default().to_owned()
}
