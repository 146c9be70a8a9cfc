//! The users list at a million (bench/users.sh): p50/p95 of each query type against a running
//! server, one request at a time, and the CSV export's first byte, rows/s and the server's RSS
//! growth. Prints `| figure | value |` lines.
//!   users-bench URL TOKEN ACCOUNT_ID SERVER_PID
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use serde_json::Value;

struct Bench {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Bench {
    async fn get(&self, query: &str) -> (Duration, Value) {
        let started = Instant::now();
        let res =
            self.client.get(format!("{}/users?{query}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let took = started.elapsed();
        assert!(status.is_success(), "{query}: {status} {body}");
        (took, body)
    }

    async fn timed(&self, queries: &[String]) -> (f64, f64, usize) {
        let mut ms: Vec<f64> = Vec::new();
        let mut rows = 0;
        for q in queries {
            let (t, body) = self.get(q).await;
            rows += body["items"].as_array().map_or(0, Vec::len);
            ms.push(t.as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
        (at(0.50), at(0.95), rows)
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

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, account, pid] = args.as_slice() else {
        eprintln!("usage: users-bench URL TOKEN ACCOUNT_ID SERVER_PID");
        std::process::exit(2);
    };
    let b = Bench {
        client: reqwest::Client::new(),
        base: format!("{url}/api/v1/accounts/{account}"),
        token: token.clone(),
    };
    // Warm up and collect emails spread over the account.
    let mut emails: Vec<String> = Vec::new();
    for (sort, order) in [("email", "asc"), ("email", "desc"), ("name", "asc"), ("company", "desc"), ("role", "asc")] {
        let (_, body) = b.get(&format!("sort={sort}&order={order}&limit=500")).await;
        for (i, m) in body["items"].as_array().unwrap().iter().enumerate() {
            if i % 10 == 0 {
                emails.push(m["email"].as_str().unwrap().to_owned());
            }
        }
    }
    println!("| query | p50 / p95 (ms) | target |");
    println!("|---|---|---|");
    let exact: Vec<String> = emails.iter().take(200).map(|e| format!("q={}", e.replace('@', "%40"))).collect();
    row("exact email lookup", b.timed(&exact).await, exact.len(), "p95 <= 5");

    // Substring search: whole last names (~1 in 92 people: many matches), parts of names,
    // companies, email fragments (rare) and text nobody has.
    let terms = [
        "kowalski",
        "tanaka",
        "nguyen",
        "schmidt",
        "ivanova",
        "nakam",
        "lindq",
        "ortiz",
        "harbor",
        "quartz labs",
        "zenith",
        "ava.",
        "ella",
        "rahul.p",
        "@orchid",
        "7f3a",
        "c0ffee",
        "zzqx",
        "abe",
        "xu",
    ];
    let mut subs = Vec::new();
    for _ in 0..5 {
        subs.extend(terms.iter().map(|t| format!("q={}", t.replace(' ', "%20").replace('@', "%40"))));
    }
    row("substring search of name, email or company", b.timed(&subs).await, subs.len(), "p95 <= 50");
    // Each term's worst of its five, so a slow shape can be named.
    let mut worst = Vec::new();
    for t in terms {
        let q = vec![format!("q={}", t.replace(' ', "%20").replace('@', "%40")); 5];
        let (_, p95, rows) = b.timed(&q).await;
        worst.push(format!("{t} {p95:.0} ms ({} rows)", rows / 5));
    }
    println!("| per term, worst of 5 | {} | |", worst.join(", "));

    for sort in ["name", "email", "company", "role", "last_sign_in_at", "created_at"] {
        for order in ["asc", "desc"] {
            let first: Vec<String> = (0..30).map(|_| format!("sort={sort}&order={order}")).collect();
            row(&format!("sort={sort} {order}, page 1"), b.timed(&first).await, first.len(), "p95 <= 50");
        }
        // Walk 999 pages of 50, then time page 1,000.
        let mut cursor = String::new();
        for _ in 0..999 {
            let c = if cursor.is_empty() { String::new() } else { format!("&cursor={cursor}") };
            let (_, body) = b.get(&format!("sort={sort}{c}")).await;
            cursor = body["next_cursor"].as_str().unwrap().to_owned();
        }
        let deep: Vec<String> = (0..30).map(|_| format!("sort={sort}&cursor={cursor}")).collect();
        row(&format!("sort={sort}, page 1,000"), b.timed(&deep).await, deep.len(), "as page 1");
    }
    let filtered: Vec<String> = (0..30).map(|_| "status=archived&sort=email".to_owned()).collect();
    row("Archived tab, by email", b.timed(&filtered).await, filtered.len(), "p95 <= 50");
    let hide: Vec<String> = (0..30).map(|_| "status=active&sort=company&order=desc".to_owned()).collect();
    row("hide disabled, by company desc", b.timed(&hide).await, hide.len(), "p95 <= 50");
    let role: Vec<String> = (0..30).map(|_| "role=admin&sort=role".to_owned()).collect();
    row("role=admin, by role", b.timed(&role).await, role.len(), "p95 <= 50");

    // Export: everything (active + disabled), RSS sampled while it streams.
    let rss_before = rss_kb(pid);
    let mut peak = rss_before;
    let started = Instant::now();
    let mut res = b.client.get(format!("{}/users.csv", b.base)).bearer_auth(&b.token).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let mut first_byte = None;
    let mut lines: u64 = 0;
    let mut bytes: u64 = 0;
    let mut last_sample = Instant::now();
    while let Some(chunk) = res.chunk().await.unwrap() {
        if first_byte.is_none() {
            first_byte = Some(started.elapsed());
        }
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
    println!("| export rows / bytes | {rows} / {:.1} MB | |", bytes as f64 / 1e6);
    println!("| export first byte (ms) | {:.1} | <= 200 |", first_byte.unwrap_or_default().as_secs_f64() * 1000.0);
    println!("| export rows/s | {:.0} | >= 150000 |", rows as f64 / secs);
    println!(
        "| export RSS growth (MiB, peak - before) | {:.1} | <= 32 |",
        (peak.saturating_sub(rss_before)) as f64 / 1024.0
    );
}
