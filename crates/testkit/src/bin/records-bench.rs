//! The work records at scale (bench/records.sh, issue 16): p50/p95 of the salesperson's contact
//! list (pages 1 and 20), text search, an admin's list by every sort, substring search and exact
//! email, the CSV export's rows/s and the server's RSS growth (R-CON-1); "all projects of this
//! person" (R-PRJ-1) and a member's month of events (R-CAL-1); against a running server, one
//! request at a time. Prints `| figure | value | target |` lines.
//!   records-bench URL ADMIN_TOKEN SALES_TOKEN ACCOUNT_ID SERVER_PID
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use serde_json::Value;

struct Bench {
    client: reqwest::Client,
    base: String,
}

impl Bench {
    async fn get(&self, token: &str, query: &str) -> (Duration, Value) {
        self.at(token, &format!("contacts?{query}")).await
    }

    /// `path` under the account (`projects?member=…`).
    async fn at(&self, token: &str, path: &str) -> (Duration, Value) {
        let query = path;
        let started = Instant::now();
        let res = self.client.get(format!("{}/{path}", self.base)).bearer_auth(token).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let took = started.elapsed();
        assert!(status.is_success(), "{query}: {status} {body}");
        (took, body)
    }

    async fn timed(&self, token: &str, queries: &[String]) -> (f64, f64, usize) {
        let paths: Vec<String> = queries.iter().map(|q| format!("contacts?{q}")).collect();
        self.timed_at(token, &paths).await
    }

    async fn timed_at(&self, token: &str, paths: &[String]) -> (f64, f64, usize) {
        let mut ms: Vec<f64> = Vec::new();
        let mut rows = 0;
        for q in paths {
            let (t, body) = self.at(token, q).await;
            rows += body["items"].as_array().map_or(0, Vec::len);
            ms.push(t.as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
        (at(0.50), at(0.95), rows)
    }

    /// The cursor of page `n` (1-based) of `query`.
    async fn cursor_of_page(&self, token: &str, query: &str, n: usize) -> Option<String> {
        let mut cursor: Option<String> = None;
        for _ in 1..n {
            let c = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
            let (_, body) = self.get(token, &format!("{query}{c}")).await;
            cursor = Some(body["next_cursor"].as_str()?.to_owned());
        }
        cursor
    }
}

fn rss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn row(name: &str, (p50, p95, rows): (f64, f64, usize), n: usize, target: &str) {
    println!("| {name} ({n} requests, {rows} rows) | {p50:.2} / {p95:.2} | {target} |");
}

fn times(q: &str, n: usize) -> Vec<String> {
    vec![q.to_owned(); n]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, admin, sales, account, pid] = args.as_slice() else {
        eprintln!("usage: records-bench URL ADMIN_TOKEN SALES_TOKEN ACCOUNT_ID SERVER_PID");
        std::process::exit(2);
    };
    let b = Bench { client: reqwest::Client::new(), base: format!("{url}/api/v1/accounts/{account}") };
    // Warm up; collect emails spread over the account for the exact lookups.
    let mut emails: Vec<String> = Vec::new();
    for (sort, order) in [("name", "asc"), ("name", "desc"), ("company", "asc"), ("created_at", "desc")] {
        let (_, body) = b.get(admin, &format!("sort={sort}&order={order}&limit=500")).await;
        for (i, c) in body["items"].as_array().unwrap().iter().enumerate() {
            if i % 10 == 0
                && let Some(e) = c["emails"][0].as_str()
            {
                emails.push(e.to_owned());
            }
        }
    }
    println!("| query | p50 / p95 (ms) | target |");
    println!("|---|---|---|");

    // The salesperson: only the contacts assigned to them, whatever the query.
    row("salesperson, list page 1", b.timed(sales, &times("sort=name", 50)).await, 50, "p95 <= 10");
    match b.cursor_of_page(sales, "sort=name", 20).await {
        Some(c) => {
            let q = format!("sort=name&cursor={c}");
            row("salesperson, list page 20", b.timed(sales, &times(&q, 50)).await, 50, "p95 <= 10");
        }
        None => println!("| salesperson, list page 20 | fewer than 20 pages | |"),
    }
    let sales_terms = ["ava", "chen", "harbor", "lopez", "studio", "zz9"];
    let q: Vec<String> = sales_terms.iter().cycle().take(60).map(|t| format!("q={t}")).collect();
    row("salesperson, text search", b.timed(sales, &q).await, q.len(), "p95 <= 20");

    // An admin: every contact of the account.
    for sort in ["name", "company", "created_at", "stage"] {
        for order in ["asc", "desc"] {
            let q = format!("sort={sort}&order={order}");
            row(&format!("admin, sort={sort} {order}, page 1"), b.timed(admin, &times(&q, 30)).await, 30, "p95 <= 20");
        }
    }
    match b.cursor_of_page(admin, "sort=name", 200).await {
        Some(deep) => row(
            "admin, sort=name, page 200",
            b.timed(admin, &times(&format!("sort=name&cursor={deep}"), 30)).await,
            30,
            "as page 1",
        ),
        None => println!("| admin, sort=name, page 200 | fewer than 200 pages | |"),
    }
    let terms = ["kowalski", "tanaka", "nguyen", "harbor", "quartz labs", "zenith", "ava.", "ella", "7f3a", "zzqx"];
    let subs: Vec<String> = terms.iter().cycle().take(50).map(|t| format!("q={}", t.replace(' ', "%20"))).collect();
    row("admin, substring search", b.timed(admin, &subs).await, subs.len(), "p95 <= 50");
    let exact: Vec<String> = emails.iter().take(200).map(|e| format!("q={}", e.replace('@', "%40"))).collect();
    row("admin, exact email", b.timed(admin, &exact).await, exact.len(), "p95 <= 5");
    row("admin, stage=won filter", b.timed(admin, &times("stage=won", 30)).await, 30, "p95 <= 20");

    // Export: the admin's whole account, RSS sampled while it comes.
    let rss_before = rss_kb(pid);
    let mut peak = rss_before;
    let started = Instant::now();
    let mut res = b.client.get(format!("{}/contacts.csv", b.base)).bearer_auth(admin).send().await.unwrap();
    let status = res.status();
    let (mut first_byte, mut lines, mut bytes) = (None, 0u64, 0u64);
    let mut last_sample = Instant::now();
    while let Some(chunk) = res.chunk().await.unwrap() {
        first_byte.get_or_insert(started.elapsed());
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
        if last_sample.elapsed() > Duration::from_millis(20) {
            peak = peak.max(rss_kb(pid));
            last_sample = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    peak = peak.max(rss_kb(pid));
    let rows = lines.saturating_sub(1);
    println!("| export status, rows / bytes | {status}, {rows} / {:.1} MB | |", bytes as f64 / 1e6);
    println!("| export first byte (ms) | {:.1} | |", first_byte.unwrap_or_default().as_secs_f64() * 1000.0);
    println!("| export rows/s | {:.0} | >= 150000 |", rows as f64 / secs);
    println!("| export RSS growth (MiB, peak - before) | {:.1} | |", (peak.saturating_sub(rss_before)) as f64 / 1024.0);

    projects_and_events(&b, admin, sales).await;
}

async fn user_id(b: &Bench, token: &str) -> String {
    let me: Value = b
        .client
        .get(format!("{}/me", b.base.split("/accounts/").next().unwrap()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["user"]["id"].as_str().unwrap().to_owned()
}

/// "All projects of this person" (R-PRJ-1) as an admin, and a member's month of events (R-CAL-1).
async fn projects_and_events(b: &Bench, admin: &str, sales: &str) {
    let (sales_id, admin_id) = (user_id(b, sales).await, user_id(b, admin).await);
    // Warm up.
    b.at(admin, &format!("projects?member={sales_id}")).await;
    let q = times(&format!("projects?member={sales_id}"), 100);
    row("admin, projects of the salesperson, page 1", b.timed_at(admin, &q).await, 100, "p95 <= 10");
    let q = times(&format!("projects?member={sales_id}&limit=100"), 50);
    row("admin, projects of the salesperson, 100 a page", b.timed_at(admin, &q).await, 50, "p95 <= 10");
    let q = times(&format!("projects?member={admin_id}"), 20);
    row("admin, projects of an admin (member of every one), page 1", b.timed_at(admin, &q).await, 20, "");
    let q = times("projects", 30);
    row("admin, every project, page 1", b.timed_at(admin, &q).await, 30, "");

    // Months from five before this one to five after: the seeded year.
    let today = time::OffsetDateTime::now_utc().date();
    let month = |k: i32| {
        let m0 = today.year() * 12 + i32::from(u8::from(today.month())) - 1 + k;
        format!("{:04}-{:02}-01", m0.div_euclid(12), m0.rem_euclid(12) + 1)
    };
    let months: Vec<String> = (-5..=5).map(|k| format!("events?from={}&to={}", month(k), month(k + 1))).collect();
    b.at(sales, &months[5]).await;
    let q: Vec<String> = months.iter().cycle().take(110).cloned().collect();
    row("salesperson, a month of their events, page 1", b.timed_at(sales, &q).await, q.len(), "p95 <= 10");
    let q: Vec<String> = months.iter().cycle().take(55).map(|m| format!("{m}&limit=500")).collect();
    row("salesperson, a month of their events, 500 a page", b.timed_at(sales, &q).await, q.len(), "");
    let q: Vec<String> = months.iter().cycle().take(55).cloned().collect();
    row("admin, a month of every calendar, page 1", b.timed_at(admin, &q).await, q.len(), "");
}
