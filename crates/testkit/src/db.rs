//! Fresh databases for tests, on either backend.
//!
//! * SQLite: a file in a new directory under the system temp directory, removed on drop.
//! * PostgreSQL: a new database `roster_t_<uuid>` on the server named by `ROSTER_TEST_PG_URL`
//!   (default [`DEFAULT_PG_URL`]), dropped on drop.
//!
//! [`backends`] says which backends this machine can test: SQLite always, PostgreSQL when the
//! server answers. Under `CI=true` an unreachable PostgreSQL is a failure, not a skip.
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use roster_store::{Backend, Store};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The PostgreSQL server tests use when `ROSTER_TEST_PG_URL` is not set.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long [`backends`] waits for PostgreSQL before deciding it is not there.
const PG_PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long dropping a [`TestDb`] waits for its PostgreSQL database to be dropped.
const PG_DROP_TIMEOUT: Duration = Duration::from_secs(15);

/// The admin URL of the test PostgreSQL server: `ROSTER_TEST_PG_URL` or [`DEFAULT_PG_URL`].
pub fn pg_admin_url() -> String {
    match std::env::var("ROSTER_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => DEFAULT_PG_URL.to_owned(),
    }
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// A brand-new database for one test; cleaned up on drop.
pub struct TestDb {
    /// The URL the store was opened with (`sqlite://…` or `postgres://…`).
    pub url: String,
    pub store: Arc<dyn Store>,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The SQLite file's own directory.
    Dir(PathBuf),
    /// A PostgreSQL database on the admin server.
    PgDatabase { admin_url: String, name: String },
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl TestDb {
    /// Opens a second, independent store on the same database (another "replica").
    pub async fn open_again(&self) -> Arc<dyn Store> {
        roster_store::open(&self.url).await.unwrap_or_else(|e| panic!("cannot reopen {}: {e}", self.url))
    }
}

/// Being `Drop`, a `TestDb` is captured whole by closures and `async move` blocks that use only
/// some of its fields, so the database lives exactly as long as the test holds the `TestDb`.
impl Drop for TestDb {
    fn drop(&mut self) {
        self.cleanup.run();
    }
}

impl Cleanup {
    /// Best effort; never panics.
    fn run(&self) {
        match self {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => drop_pg_database(admin_url.clone(), name.clone()),
        }
    }
}

/// Best effort, never panics: a thread with its own runtime drops the database (`WITH (FORCE)`
/// ends the store's open connections); we wait a bounded time so the test binary does not exit
/// with the drop still in flight.
fn drop_pg_database(admin_url: String, name: String) {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name(format!("drop-{name}")).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        rt.block_on(async {
            let work = async {
                let mut conn = PgConnection::connect(&admin_url).await?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                conn.execute(sqlx::raw_sql(AssertSqlSafe(sql))).await?;
                conn.close().await
            };
            match tokio::time::timeout(PG_DROP_TIMEOUT, work).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("testkit: could not drop test database {name}: {e}"),
                Err(_) => eprintln!("testkit: timed out dropping test database {name}"),
            }
        });
        let _ = done_tx.send(());
    });
    if spawned.is_ok() {
        let _ = done_rx.recv_timeout(PG_DROP_TIMEOUT + Duration::from_secs(1));
    }
}

/// A brand-new database on `backend`, migrated.
pub async fn fresh_db(backend: Backend) -> TestDb {
    let db = fresh_empty_db(backend).await;
    db.store.migrate().await.unwrap_or_else(|e| panic!("migrating {} failed: {e}", db.url));
    db
}

/// A brand-new database on `backend`, opened but not migrated.
pub async fn fresh_empty_db(backend: Backend) -> TestDb {
    let id = Uuid::now_v7().simple().to_string();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("roster-test-{id}"));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
            let url = format!("sqlite://{}", dir.join("roster.db").display());
            // From here on the directory is cleaned up even if opening fails.
            let cleanup = Cleanup::Dir(dir);
            let store = match roster_store::open(&url).await {
                Ok(store) => store,
                Err(e) => {
                    cleanup.run();
                    panic!("cannot open {url}: {e}");
                }
            };
            TestDb { url, store, backend, cleanup }
        }
        Backend::Postgres => {
            let admin_url = pg_admin_url();
            let name = format!("roster_t_{id}");
            let mut admin = PgConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"));
            admin
                .execute(sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))))
                .await
                .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
            let _ = admin.close().await;
            let mut url = url::Url::parse(&admin_url).unwrap_or_else(|e| panic!("bad ROSTER_TEST_PG_URL: {e}"));
            url.set_path(&format!("/{name}"));
            let url = url.to_string();
            let cleanup = Cleanup::PgDatabase { admin_url, name };
            let store = match roster_store::open(&url).await {
                Ok(store) => store,
                Err(e) => {
                    cleanup.run();
                    panic!("cannot open {url}: {e}");
                }
            };
            TestDb { url, store, backend, cleanup }
        }
    }
}

static PG_AVAILABLE: OnceCell<bool> = OnceCell::const_new();

/// The backends to test on: SQLite always; PostgreSQL when a connection to [`pg_admin_url`]
/// succeeds within two seconds. Probed once per test binary. Unreachable PostgreSQL is a skip
/// with a printed reason, except under `CI=true`, where it panics.
pub async fn backends() -> Vec<Backend> {
    let pg = *PG_AVAILABLE.get_or_init(probe_pg).await;
    if pg { vec![Backend::Sqlite, Backend::Postgres] } else { vec![Backend::Sqlite] }
}

async fn probe_pg() -> bool {
    let url = pg_admin_url();
    let reason = match tokio::time::timeout(PG_PROBE_TIMEOUT, PgConnection::connect(&url)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            return true;
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {} s", PG_PROBE_TIMEOUT.as_secs()),
    };
    if under_ci() {
        panic!(
            "PostgreSQL tests are required under CI=true, but PostgreSQL at {url} is unreachable: {reason} \
             (set ROSTER_TEST_PG_URL)"
        );
    }
    eprintln!("testkit: PostgreSQL tests are skipped: {url} is unreachable ({reason}); set ROSTER_TEST_PG_URL");
    false
}

/// Runs one test body against a fresh, migrated database on every backend from [`backends`].
pub async fn for_each_backend<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends().await {
        eprintln!("-- store test on {backend:?}");
        test(fresh_db(backend).await).await;
    }
}
