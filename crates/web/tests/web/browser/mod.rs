//! A newcomer's journey through the console in headless Chromium, driven by chromedriver over
//! the W3C WebDriver protocol: setup link, empty accounts page, create an account (a refused
//! empty name first), the team page, sign out, sign in again.
//!
//! Needs `chromedriver` on `PATH` and `/usr/bin/chromium`. Without them the test is skipped,
//! except in CI (`CI=true`), where the browser test is required and fails instead.
//!
//! The WebDriver client is fantoccini over a plain-HTTP hyper connector (no TLS crates). The
//! helpers here ([`browser_or_skip`], [`ChromeDriver`], [`Browser`], [`fail!`]) also drive the
//! journeys in `journeys.rs`, `identity.rs` and `team.rs`. Browser tests take turns: one Chromium at a time.

mod identity;
mod journeys;
mod records;
mod shell;
mod team;
mod team_admin;
mod workflows;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Panics with a formatted message, the browser's current URL and a piece of the page source.
macro_rules! fail {
    ($browser:expr, $($message:tt)+) => {
        panic!("{}\n{}", format!($($message)+), $browser.context().await)
    };
}
pub(crate) use fail;

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long to wait for chromedriver to listen, for a page to arrive or an element to appear.
const WAIT: Duration = Duration::from_secs(10);

/// Held by each [`ChromeDriver`] while it lives, so browser tests run one at a time: several
/// Chromiums at once on a small machine make page loads slow enough to be flaky.
static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn newcomer_journey_setup_link_to_team_page() {
    let Some(chromedriver) = browser_or_skip("newcomer_journey_setup_link_to_team_page") else { return };
    let app = roster_testkit::app::TestApp::builder().build().await;
    let secret = app.service.issue_setup_token().await.unwrap().unwrap();
    let driver = ChromeDriver::start(&chromedriver).await;
    let b = Browser::open(&driver).await;

    // The one-time setup link: the newcomer becomes the operator and is signed in.
    b.goto(&app.at(&format!("/setup?token={secret}"))).await;
    b.expect_text("h1", "Set up Roster").await;
    b.type_into("#first_name", "Ada").await;
    b.type_into("#last_name", "Lovelace").await;
    b.type_into("#email", "ada@example.com").await;
    b.type_into("#password", "correct horse battery").await;
    b.click("form[action='/setup'] button[type='submit']").await;
    b.expect_path("/accounts").await;
    b.expect_text("p.empty", "No accounts yet. Create the first one: you will be its owner.").await;
    b.expect_text("header .user-name", "Ada Lovelace").await;

    // Create an account; an empty name is refused next to the field and the form stays.
    b.click_link("Create account").await;
    b.expect_path("/accounts/new").await;
    b.click("form[action='/accounts/new'] button[type='submit']").await;
    b.expect_text("#name + p.field-error#name-error", "Enter the account's name.").await;
    b.expect_path("/accounts/new").await;
    b.expect_text("main h1", "Create account").await;
    b.expect_attr("#name", "aria-invalid", "true").await;
    b.expect_attr("#name", "aria-describedby", "name-error").await;

    b.type_into("#name", "Acme Studio").await;
    b.click("form[action='/accounts/new'] button[type='submit']").await;
    let team_path = b.expect_path_matching("/accounts/{id}/team", is_team_path).await;
    b.expect_text("main h1", "Team of Acme Studio").await;
    b.expect_text("header .current-account", "Acme Studio").await;
    let rows = b.find_all("main table tbody tr").await;
    if rows.len() != 1 {
        fail!(b, "the new account's team should have exactly one member, found {} rows", rows.len());
    }
    b.expect_text("main tbody tr td:nth-child(1)", "Ada Lovelace").await;
    b.expect_text("main tbody tr td:nth-child(1) span.badge", "Owner").await;
    b.expect_text("main tbody tr td:nth-child(2)", "ada@example.com").await;

    // Sign out from the header; the session is gone, so the console sends us back to sign in.
    b.click("header form[action='/sign-out'] button[type='submit']").await;
    b.expect_path("/sign-in").await;
    b.goto(&app.at("/accounts")).await;
    b.expect_path("/sign-in").await;

    // Sign in again: with exactly one account, the console may open its team page directly.
    b.type_into("#login", "ada@example.com").await;
    b.type_into("#password", "correct horse battery").await;
    b.click("form[action='/sign-in'] button[type='submit']").await;
    let landed =
        b.expect_path_matching("/accounts or the account's team page", |p| p == "/accounts" || p == team_path).await;
    b.expect_text("main", "Acme Studio").await;
    b.expect_text("header .user-name", "Ada Lovelace").await;
    eprintln!("browser journey: signed in again and landed on {landed}");

    b.quit().await;
}

fn is_team_path(path: &str) -> bool {
    path.strip_prefix("/accounts/")
        .and_then(|rest| rest.strip_suffix("/team"))
        .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
}

/// The chromedriver to use, or `None` (after saying why) when the browser test `test` is skipped.
/// In CI the browser test is required: a missing browser fails it.
pub(crate) fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let chromedriver = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("chromedriver")).find(|p| p.is_file()));
    let missing = match &chromedriver {
        None => "`chromedriver` is not on PATH",
        Some(_) if !Path::new(CHROMIUM).is_file() => "/usr/bin/chromium is missing",
        Some(_) => return chromedriver,
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the browser test is required in CI, but {missing}");
    }
    eprintln!("browser test {test} skipped: {missing}");
    None
}

/// A chromedriver child process on a free port, with a fresh Chromium profile directory. On drop
/// it asks chromedriver to shut down (which also quits the browsers it started: killing it alone
/// leaves Chromium running), then kills it, removes the profile and lets the next browser test
/// start.
pub(crate) struct ChromeDriver {
    child: Child,
    port: u16,
    profile: PathBuf,
    /// Dropped after `Drop::drop` has shut Chromium down (fields drop after it).
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl ChromeDriver {
    pub(crate) async fn start(binary: &Path) -> Self {
        let turn = ONE_BROWSER_AT_A_TIME.lock().await;
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let profile = std::env::temp_dir().join(format!("roster-browser-test-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&profile).unwrap();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
        let mut driver = ChromeDriver { child, port, profile, _turn: turn };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + WAIT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited before listening on port {port}: {status}");
            }
            if Instant::now() > deadline {
                panic!("chromedriver did not listen on port {port} within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let request =
                format!("GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port);
            if s.write_all(request.as_bytes()).is_ok() {
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One WebDriver session. Lookups wait up to [`WAIT`]; a failed expectation panics with the
/// current URL and a piece of the page source.
pub(crate) struct Browser {
    client: Client,
}

impl Browser {
    pub(crate) async fn open(driver: &ChromeDriver) -> Self {
        // Each browser its own profile: two Chromiums on one profile directory, the second exits.
        static OPENED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile = driver.profile.join(format!("browser-{n}"));
        std::fs::create_dir_all(&profile).unwrap();
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 30_000, "script": 10_000, "implicit": 0},
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let serde_json::Value::Object(caps) = caps else { unreachable!("a JSON object") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        Browser { client }
    }

    /// The WebDriver client, for what the helpers here do not cover (scripts, window size, keys).
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            fail!(self, "could not open {url}: {e}");
        }
    }

    async fn current_url(&self) -> String {
        match self.client.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(unknown: {e})"),
        }
    }

    async fn current_path(&self) -> String {
        let url = self.current_url().await;
        url::Url::parse(&url).map(|u| u.path().to_owned()).unwrap_or(url)
    }

    /// The URL and the start of the page body, for failure messages.
    pub(crate) async fn context(&self) -> String {
        let url = self.current_url().await;
        let source = self.client.source().await.unwrap_or_else(|e| format!("(no page source: {e})"));
        let body = source.find("<body").map_or(source.as_str(), |at| &source[at..]);
        let snippet: String = body.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(2500).collect();
        format!("current URL: {url}\npage source: {snippet}")
    }

    /// Waits until the URL's path satisfies `ok` and returns it.
    pub(crate) async fn expect_path_matching(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let path = self.current_path().await;
            if ok(&path) {
                return path;
            }
            if Instant::now() > deadline {
                fail!(self, "expected to be on {what}, but the path is {path}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn expect_path(&self, expected: &str) {
        self.expect_path_matching(expected, |p| p == expected).await;
    }

    pub(crate) async fn find_all(&self, css: &str) -> Vec<Element> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find_all(Locator::Css(css)).await {
                Ok(found) => return found,
                Err(e) if Instant::now() > deadline => fail!(self, "could not look for `{css}`: {e}"),
                // As in `find_by`: a lookup may be aborted by a navigation under way.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The first element matching the locator, waiting for it to appear.
    /// Any error counts as "not yet": while a form's answer loads, chromedriver may answer a
    /// lookup with "aborted by navigation" instead of waiting, and that must not end the test.
    async fn find_by(&self, locator: Locator<'_>) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(locator).await {
                Ok(el) => return el,
                Err(e) if Instant::now() > deadline => {
                    fail!(self, "no element for {locator:?} within {WAIT:?}: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub(crate) async fn find(&self, css: &str) -> Element {
        self.find_by(Locator::Css(css)).await
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        if let Err(e) = el.clear().await {
            fail!(self, "clearing `{css}` failed: {e}");
        }
        if let Err(e) = el.send_keys(text).await {
            fail!(self, "typing into `{css}` failed: {e}");
        }
    }

    pub(crate) async fn click(&self, css: &str) {
        if let Err(e) = self.find(css).await.click().await {
            fail!(self, "clicking `{css}` failed: {e}");
        }
    }

    pub(crate) async fn click_link(&self, text: &str) {
        if let Err(e) = self.find_by(Locator::LinkText(text)).await.click().await {
            fail!(self, "clicking the link “{text}” failed: {e}");
        }
    }

    /// Clicks the button whose whole text is `text` (inside `scope`, a CSS selector).
    pub(crate) async fn click_button(&self, scope: &str, text: &str) {
        let buttons = self.wait_for_all(&format!("{scope} button")).await;
        for button in buttons {
            if button.text().await.is_ok_and(|t| t.trim() == text) {
                if let Err(e) = button.click().await {
                    fail!(self, "clicking the button “{text}” failed: {e}");
                }
                return;
            }
        }
        fail!(self, "no button “{text}” in `{scope}`");
    }

    /// The trimmed texts of all elements matching `css`, once at least one is there.
    pub(crate) async fn texts(&self, css: &str) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        'again: loop {
            let mut texts = Vec::new();
            for el in self.wait_for_all(css).await {
                match el.text().await {
                    Ok(t) => texts.push(t.trim().to_owned()),
                    Err(e) if Instant::now() > deadline => fail!(self, "could not read the text of `{css}`: {e}"),
                    // Stale while a page loads: read them all again.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue 'again;
                    }
                }
            }
            return texts;
        }
    }

    /// All elements matching `css`, after waiting for the first one to appear.
    async fn wait_for_all(&self, css: &str) -> Vec<Element> {
        self.find(css).await;
        self.find_all(css).await
    }

    /// Waits until the first element matching `css` shows text containing `expected`.
    pub(crate) async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            // The element may go stale while a page loads; then look again.
            let seen = match self.find(css).await.text().await {
                Ok(t) => t,
                Err(e) => format!("(no text: {e})"),
            };
            if seen.contains(expected) {
                return;
            }
            if Instant::now() > deadline {
                fail!(self, "`{css}` should show “{expected}”, but shows “{seen}”");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn expect_attr(&self, css: &str, name: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.find(css).await.attr(name).await;
            match v {
                Ok(Some(v)) if v == expected => return,
                other if Instant::now() > deadline => {
                    fail!(self, "`{css}` should have {name}=\"{expected}\", has {other:?}")
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Ends the session, which closes Chromium.
    pub(crate) async fn quit(self) {
        if let Err(e) = self.client.close().await {
            eprintln!("closing the WebDriver session failed: {e}");
        }
    }
}
