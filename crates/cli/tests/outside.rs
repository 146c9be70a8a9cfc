//! Roster tried from outside, as an operator runs it (issue 18): real `roster serve` processes
//! killed with SIGKILL while clients write, and two replicas on one PostgreSQL. Both run in CI.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roster_store::Backend;
use roster_testkit::{backends, fresh_empty_db};
use serde_json::{Value, json};

/// One secret key for every process of a test: replicas must open each other's sealed values.
const SECRET: &str = "4f1c2b7e9a0d3c5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-outside-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `roster ARGS` with a clean `ROSTER_*` environment plus `vars`.
fn command(args: &[&str], vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("ROSTER_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("ROSTER_LOG", "warn").env("ROSTER_SECRET_KEY", SECRET);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// Whether the replica tests can run (PostgreSQL reachable; required under `CI=true`).
async fn postgres_reachable() -> bool {
    let up = backends().await.contains(&Backend::Postgres);
    if !up {
        eprintln!("-- PostgreSQL unavailable: skipped");
    }
    up
}

/// The demo owner's password, from `roster demo`'s table.
fn demo(vars: &[(&str, String)]) -> String {
    let out = command(&["demo"], vars).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.split_whitespace().next() == Some("owner"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or_else(|| panic!("no owner line: {text}"))
        .to_owned()
}

/// A `roster serve` on its own port.
struct Server {
    child: Child,
    base: String,
    vars: Vec<(&'static str, String)>,
}

impl Server {
    async fn start(vars: &[(&'static str, String)]) -> Server {
        let port = free_port();
        let mut vars = vars.to_vec();
        vars.push(("ROSTER_LISTEN", format!("127.0.0.1:{port}")));
        vars.push(("ROSTER_SHUTDOWN_DRAIN", "0".to_owned()));
        let child = spawn(&vars);
        let s = Server { child, base: format!("http://127.0.0.1:{port}"), vars };
        s.wait_ready().await;
        s
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{} never became ready", self.base);
    }

    /// SIGKILL, then the same server again on the same port.
    async fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.child = spawn(&self.vars);
        self.wait_ready().await;
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(vars: &[(&str, String)]) -> Child {
    command(&["serve"], vars).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
}

async fn token(client: &reqwest::Client, server: &Server, password: &str) -> (u16, Value) {
    let res = client
        .post(server.url("/api/v1/auth/token"))
        .json(&json!({ "login": "owner@demo.roster.example", "password": password }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every write a client saw acknowledged (201) is there after repeated SIGKILLs of the server,
/// on both backends; SQLite's file passes `integrity_check`, and every account still has
/// exactly one owner (R-OWN-1).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_writing_loses_nothing_acknowledged() {
    const KILLS: usize = 10;
    for backend in backends().await {
        eprintln!("-- kill -9 on {backend:?}");
        let db = fresh_empty_db(backend).await;
        let dir = scratch();
        let vars =
            vec![("ROSTER_DATA_DIR", dir.to_string_lossy().into_owned()), ("ROSTER_DATABASE_URL", db.url.clone())];
        let password = demo(&vars);
        let mut server = Server::start(&vars).await;
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let (_, t) = token(&client, &server, &password).await;
        let bearer = t["access_token"].as_str().unwrap().to_owned();
        let account = t["account_id"].as_str().unwrap().to_owned();
        let acked: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (client, bearer, acked, stop) = (client.clone(), bearer.clone(), acked.clone(), stop.clone());
            let url = server.url(&format!("/api/v1/accounts/{account}/contacts"));
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let body =
                        json!({ "first_name": format!("Kill{w}"), "last_name": format!("N{n}"), "type": "client" });
                    match client.post(&url).bearer_auth(&bearer).json(&body).send().await {
                        Ok(r) if r.status() == 201 => {
                            if let Ok(v) = r.json::<Value>().await
                                && let Some(id) = v["id"].as_str()
                            {
                                acked.lock().unwrap().push(id.to_owned());
                            }
                        }
                        // Refused while the server is down or restarting: not acknowledged.
                        _ => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }));
        }
        for k in 0..KILLS {
            tokio::time::sleep(Duration::from_millis(150 + (k as u64 * 37) % 200)).await;
            server.kill_and_restart().await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() > KILLS * 4, "the writers wrote between kills: {}", acked.len());
        for id in &acked {
            let r = client
                .get(server.url(&format!("/api/v1/accounts/{account}/contacts/{id}")))
                .bearer_auth(&bearer)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "acknowledged contact {id} after {KILLS} kills");
        }
        drop(server);
        let one_owner = "SELECT count(*) FROM accounts a WHERE (SELECT count(*) FROM memberships m \
                         WHERE m.account_id = a.id AND m.role = 'owner') <> 1";
        match backend {
            Backend::Sqlite => {
                let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
                let conn = rusqlite::Connection::open(&path).unwrap();
                let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
                assert_eq!(check, "ok");
                let bad: i64 = conn.query_row(one_owner, [], |r| r.get(0)).unwrap();
                assert_eq!(bad, 0, "accounts without exactly one owner");
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                let bad: i64 = sqlx::query_scalar(one_owner).fetch_one(&pool).await.unwrap();
                assert_eq!(bad, 0, "accounts without exactly one owner");
                pool.close().await;
            }
        }
        eprintln!("-- {backend:?}: {} acknowledged writes, all present after {KILLS} kills", acked.len());
        std::fs::remove_dir_all(dir).ok();
    }
}

/// Two `roster serve` replicas on one PostgreSQL: a sign-in on one is a reader on the other, a
/// sign-out on one is refused by the other at once, and failed sign-ins count together.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_sessions_revocation_and_throttle() {
    if !postgres_reachable().await {
        return;
    }
    let db = fresh_empty_db(Backend::Postgres).await;
    let dir = scratch();
    let vars = vec![("ROSTER_DATA_DIR", dir.to_string_lossy().into_owned()), ("ROSTER_DATABASE_URL", db.url.clone())];
    let password = demo(&vars);
    let (a, b) = tokio::join!(Server::start(&vars), Server::start(&vars));
    let client = reqwest::Client::new();

    let (status, t) = token(&client, &a, &password).await;
    assert_eq!(status, 200, "{t}");
    let bearer = t["access_token"].as_str().unwrap().to_owned();
    let me = client.get(b.url("/api/v1/me")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(me.status(), 200, "signed in on A, read on B");

    let out = client.post(a.url("/api/v1/auth/logout")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(out.status(), 204);
    let me = client.get(b.url("/api/v1/me")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(me.status(), 401, "signed out on A: refused by B at once");

    // R-AUTH-7: 5 failures per login and address block it, whichever replica counted them.
    for i in 0..5 {
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, _) = token(&client, server, "not-the-password").await;
        assert_eq!(status, 401, "failure {i}");
    }
    let (status, body) = token(&client, &b, &password).await;
    assert_eq!(status, 429, "the sixth attempt is throttled on either replica: {body}");
    let (status, _) = token(&client, &a, &password).await;
    assert_eq!(status, 429);
    drop((a, b));
    std::fs::remove_dir_all(dir).ok();
}

/// Two replicas on one PostgreSQL with work queued at once: 1,000 emails (invitations) through
/// a real SMTP exchange and 1,000 due jobs (workflow runs of a one-step template), each done
/// exactly once: every email arrives once (distinct `Message-ID`s, one per address) and every
/// run made exactly one to-do.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_send_each_email_and_run_each_job_once() {
    const N: usize = 1_000;
    if !postgres_reachable().await {
        return;
    }
    let sink = roster_testkit::smtp::SmtpSink::start().await;
    let db = fresh_empty_db(Backend::Postgres).await;
    let dir = scratch();
    let vars = vec![
        ("ROSTER_DATA_DIR", dir.to_string_lossy().into_owned()),
        ("ROSTER_DATABASE_URL", db.url.clone()),
        ("ROSTER_SMTP_URL", sink.url()),
        ("ROSTER_MAIL_FROM", "Roster <roster@example.test>".to_owned()),
        ("ROSTER_ACCOUNT_MAIL_PER_HOUR", "100000".to_owned()),
    ];
    let password = demo(&vars);
    let (a, b) = tokio::join!(Server::start(&vars), Server::start(&vars));
    let client = reqwest::Client::new();
    let (_, t) = token(&client, &a, &password).await;
    let bearer = t["access_token"].as_str().unwrap().to_owned();
    let account = t["account_id"].as_str().unwrap().to_owned();
    let me: Value = client.get(a.url("/api/v1/me")).bearer_auth(&bearer).send().await.unwrap().json().await.unwrap();
    let owner_id = me["user"]["id"].as_str().unwrap().to_owned();
    let api = |s: &Server, path: &str| s.url(&format!("/api/v1/accounts/{account}{path}"));
    // R-AUTH-8: an account sends email once its owner has proved their address.
    let mut tx = db.store.begin().await.unwrap();
    tx.mark_email_verified(owner_id.parse().unwrap(), time::OffsetDateTime::now_utc()).await.unwrap();
    tx.commit().await.unwrap();
    sink.forget();

    // The work, queued through both replicas at once.
    let template: Value = client
        .post(api(&a, "/workflow-templates"))
        .bearer_auth(&bearer)
        .json(&json!({ "name": "Once", "steps": [
            { "kind": "todo", "after_days": 0, "at_time": "00:00", "assignee": owner_id, "title": "Exactly once" }
        ] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let template_id = template["id"].as_str().unwrap().to_owned();
    let contact: Value = client
        .post(api(&a, "/contacts"))
        .bearer_auth(&bearer)
        .json(&json!({ "first_name": "Runner", "type": "client" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for i in 0..N {
        let (client, bearer) = (client.clone(), bearer.clone());
        let server = if i % 2 == 0 { &a } else { &b };
        let invite = api(server, "/invitations");
        let run = api(server, "/workflow-runs");
        let (template_id, contact_id) = (template_id.clone(), contact_id.clone());
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(invite)
                .bearer_auth(&bearer)
                .json(&json!({ "email": format!("guest{i}@example.test"), "role": "employee" }))
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert_eq!(status, 201, "invitation {i}: {}", r.text().await.unwrap_or_default());
            let r = client
                .post(run)
                .bearer_auth(&bearer)
                .json(&json!({ "template_id": template_id, "contact_id": contact_id }))
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert_eq!(status, 201, "run {i}: {}", r.text().await.unwrap_or_default());
        }));
        if tasks.len() >= 16 {
            for t in tasks.drain(..) {
                t.await.unwrap();
            }
        }
    }
    for t in tasks {
        t.await.unwrap();
    }

    let received = sink.wait_for(N, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received = if sink.count() > received.len() { sink.received() } else { received };
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let before = to.len();
    to.dedup();
    assert_eq!((before, to.len()), (N, N), "each invitation sent exactly once");
    let mut ids: Vec<String> = received.iter().filter_map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "distinct Message-IDs");

    // Every run's step done, each once: one to-do per run.
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let started = Instant::now();
    loop {
        let done: i64 = sqlx::query_scalar("SELECT count(*) FROM workflow_run_steps WHERE state = 'done'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if done >= N as i64 || started.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM workflow_runs WHERE template_id = $1::uuid")
        .bind(&template_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let todos: i64 =
        sqlx::query_scalar("SELECT count(*) FROM todos WHERE title = 'Exactly once'").fetch_one(&pool).await.unwrap();
    let done: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM workflow_run_steps s JOIN workflow_runs r ON r.id = s.run_id \
         WHERE r.template_id = $1::uuid AND s.state = 'done'",
    )
    .bind(&template_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((runs, done, todos), (N as i64, N as i64, N as i64), "runs, steps done, to-dos");
    pool.close().await;
    drop((a, b));
    std::fs::remove_dir_all(dir).ok();
}

/// A TCP relay to PostgreSQL that can be cut (every connection closed, new ones refused) and
/// restored: PostgreSQL going down and coming back, as `roster serve` sees it.
struct Relay {
    port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    cut: tokio::sync::broadcast::Sender<()>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (cut, _) = tokio::sync::broadcast::channel::<()>(4);
        let (flag, tx) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(std::sync::atomic::Ordering::Acquire) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let mut stop = tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = stop.recv() => {}
                    }
                });
            }
        });
        Relay { port, up, cut }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, std::sync::atomic::Ordering::Release);
        if !up {
            let _ = self.cut.send(());
        }
    }
}

/// PostgreSQL down: every request, `/readyz` included, answers 503 within about a second (not
/// after 5 s), `/readyz` says the database is not answering; back up, reads and writes work at
/// once, the first read on each pooled connection included.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_down_answers_503_fast_and_recovers() {
    if !postgres_reachable().await {
        return;
    }
    let db = fresh_empty_db(Backend::Postgres).await;
    let dir = scratch();
    let mut url = url::Url::parse(&db.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let relay = Relay::start(upstream).await;
    url.set_port(Some(relay.port)).unwrap();
    let vars = vec![("ROSTER_DATA_DIR", dir.to_string_lossy().into_owned()), ("ROSTER_DATABASE_URL", url.to_string())];
    let password = demo(&vars);
    let server = Server::start(&vars).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let (_, t) = token(&client, &server, &password).await;
    let bearer = t["access_token"].as_str().unwrap().to_owned();
    let account = t["account_id"].as_str().unwrap().to_owned();
    let contacts = server.url(&format!("/api/v1/accounts/{account}/contacts"));
    // Several pooled connections.
    let warm: Vec<_> = (0..6).map(|_| client.get(&contacts).bearer_auth(&bearer).send()).collect();
    for w in warm {
        assert_eq!(w.await.unwrap().status(), 200);
    }

    relay.set_up(false);
    for path in ["/readyz", "/api/v1/me"] {
        let started = Instant::now();
        let r = client.get(server.url(path)).bearer_auth(&bearer).send().await.unwrap();
        let took = started.elapsed();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 503, "{path} while the database is down: {body}");
        assert!(took < Duration::from_millis(2500), "{path} answered in {took:?}");
        if path == "/readyz" {
            assert!(body["detail"].as_str().unwrap_or_default().contains("not answering"), "{body}");
        } else {
            assert_eq!(body["code"], "unavailable", "{body}");
        }
    }

    relay.set_up(true);
    for _ in 0..8 {
        let r = client.get(&contacts).bearer_auth(&bearer).send().await.unwrap();
        assert_eq!(r.status(), 200, "a read once the database is back");
    }
    let r = client
        .post(&contacts)
        .bearer_auth(&bearer)
        .json(&json!({ "first_name": "Back", "type": "client" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "a write once the database is back");
    let r = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    drop(server);
    std::fs::remove_dir_all(dir).ok();
}
