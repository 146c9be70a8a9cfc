//! The ticket list at scale (bench/tickets.sh, issue 17, R-TKT-1): p50/p95 of an admin's list
//! filtered by status and assignee (pages 1 and 20, both sorts), by status or assignee alone,
//! unfiltered, one number (`q=#N`), and a member's own tickets; against a running server, one
//! request at a time. Prints `| figure | value | target |` lines.
//!   tickets-bench URL ADMIN_TOKEN MEMBER_TOKEN ACCOUNT_ID
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use serde_json::Value;

struct Bench {
    client: reqwest::Client,
    base: String,
}

impl Bench {
    async fn at(&self, token: &str, query: &str) -> (Duration, Value) {
        let started = Instant::now();
        let res = self.client.get(format!("{}/tickets?{query}", self.base)).bearer_auth(token).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let took = started.elapsed();
        assert!(status.is_success(), "{query}: {status} {body}");
        (took, body)
    }

    async fn timed(&self, token: &str, query: &str, n: usize) -> (f64, f64, usize) {
        let mut ms: Vec<f64> = Vec::new();
        let mut rows = 0;
        for _ in 0..n {
            let (t, body) = self.at(token, query).await;
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
            let (_, body) = self.at(token, &format!("{query}{c}")).await;
            cursor = Some(body["next_cursor"].as_str()?.to_owned());
        }
        cursor
    }
}

fn row(name: &str, (p50, p95, rows): (f64, f64, usize), n: usize, target: &str) {
    println!("| {name} ({n} requests, {rows} rows) | {p50:.2} / {p95:.2} | {target} |");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, admin, member, account] = args.as_slice() else {
        eprintln!("usage: tickets-bench URL ADMIN_TOKEN MEMBER_TOKEN ACCOUNT_ID");
        std::process::exit(2);
    };
    let b = Bench { client: reqwest::Client::new(), base: format!("{url}/api/v1/accounts/{account}") };
    // The assignees of the newest tickets, and the highest number.
    let (_, body) = b.at(admin, "limit=500").await;
    let items = body["items"].as_array().cloned().unwrap_or_default();
    let top = items.first().and_then(|t| t["number"].as_i64()).unwrap_or(1);
    let assignee = items.iter().find_map(|t| t["assigned_to"].as_str()).unwrap_or_default().to_owned();
    println!("| query | p50 / p95 (ms) | target |");
    println!("|---|---|---|");
    let n = 200;
    for status in ["open", "closed"] {
        let q = format!("status={status}&assigned_to={assignee}");
        row(&format!("status={status} & assignee, page 1"), b.timed(admin, &q, n).await, n, "p95 <= 10");
        match b.cursor_of_page(admin, &q, 20).await {
            Some(c) => {
                let q = format!("{q}&cursor={c}");
                row(&format!("status={status} & assignee, page 20"), b.timed(admin, &q, n).await, n, "p95 <= 10");
            }
            None => println!("| status={status} & assignee, page 20 | fewer than 20 pages | |"),
        }
        let q = format!("status={status}&assigned_to={assignee}&sort=updated_at");
        row(&format!("status={status} & assignee by last activity"), b.timed(admin, &q, n).await, n, "p95 <= 10");
    }
    row("status=open alone", b.timed(admin, "status=open", n).await, n, "");
    row("assignee alone", b.timed(admin, &format!("assigned_to={assignee}"), n).await, n, "");
    row("unfiltered, newest first", b.timed(admin, "", n).await, n, "");
    row("one number (q=#N)", b.timed(admin, &format!("q=%23{}", top / 2), n).await, n, "");
    row("a member's own tickets (no tickets.view_open)", b.timed(member, "status=open", n).await, n, "");
}
