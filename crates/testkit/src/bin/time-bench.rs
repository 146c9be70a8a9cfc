//! Time tracking at scale (bench/time.sh, R-TIME-1): p50/p95 of a timer's start and stop (the
//! salesperson's; target p95 ≤ 5 ms) and of the weekly report over the account's entries (the
//! owner's, member × project × week over four weeks, and over one week; target p95 ≤ 50 ms),
//! against a running server, one request at a time. Prints `| figure | value | target |` lines.
//!   time-bench URL OWNER_TOKEN SALES_TOKEN ACCOUNT_ID [ROUNDS]
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Bench {
    client: reqwest::Client,
    base: String,
}

impl Bench {
    async fn send(&self, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (Duration, Value) {
        let started = Instant::now();
        let mut req = self.client.request(method, format!("{}/{path}", self.base)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        // The clock stops when the last byte has arrived: parsing the answer here (≈600 KB for
        // a 4-week report) is the client's time, not the server's (decision 0102).
        let bytes = res.bytes().await.unwrap_or_default();
        let took = started.elapsed();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        (took, body)
    }
}

fn p50_p95(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
    (at(0.50), at(0.95))
}

fn row(name: &str, ms: Vec<f64>, target: &str) {
    let n = ms.len();
    let (p50, p95) = p50_p95(ms);
    println!("| {name} ({n} requests), p50 / p95 ms | {p50:.2} / {p95:.2} | {target} |");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (url, owner, sales, account, rounds) = match args.as_slice() {
        [_, u, o, s, a] => (u, o, s, a, 200usize),
        [_, u, o, s, a, r] => (u, o, s, a, r.parse().unwrap()),
        _ => {
            eprintln!("usage: time-bench URL OWNER_TOKEN SALES_TOKEN ACCOUNT_ID [ROUNDS]");
            std::process::exit(2);
        }
    };
    let b = Bench { client: reqwest::Client::new(), base: format!("{url}/api/v1/accounts/{account}") };
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    // The demo's running timer (if any) stops first; warm up.
    let (_, current) = b.send(sales, get.clone(), "timers/current", None).await;
    if current["timer"].is_object() {
        b.send(sales, post.clone(), "timers/stop", None).await;
    }
    for _ in 0..10 {
        b.send(sales, post.clone(), "timers/start", Some(json!({ "note": "warm-up" }))).await;
        b.send(sales, post.clone(), "timers/stop", None).await;
    }
    let (mut starts, mut stops) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let (t, _) = b.send(sales, post.clone(), "timers/start", Some(json!({ "note": format!("bench {i}") }))).await;
        starts.push(t.as_secs_f64() * 1000.0);
        let (t, _) = b.send(sales, post.clone(), "timers/stop", None).await;
        stops.push(t.as_secs_f64() * 1000.0);
    }
    row("timer start", starts, "≤ 5");
    row("timer stop", stops, "≤ 5");

    // Reports over windows spread over the two years the demo fills.
    let today = time::OffsetDateTime::now_utc().date();
    let window = |i: usize, days: i64| {
        let to = today - time::Duration::days((i as i64 * 37) % 700);
        let from = to - time::Duration::days(days - 1);
        format!("time-report?from={from}&to={to}&group=member,project,week")
    };
    for i in 0..5 {
        b.send(owner, get.clone(), &window(i, 28), None).await;
    }
    let (mut four, mut one, mut rows, mut entries) = (Vec::new(), Vec::new(), 0usize, 0i64);
    for i in 0..rounds.min(200) {
        let (t, body) = b.send(owner, get.clone(), &window(i, 28), None).await;
        four.push(t.as_secs_f64() * 1000.0);
        rows += body["rows"].as_array().map_or(0, Vec::len);
        entries += body["rows"].as_array().map_or(0, |r| r.iter().map(|x| x["entries"].as_i64().unwrap_or(0)).sum());
        let (t, _) = b.send(owner, get.clone(), &window(i, 7), None).await;
        one.push(t.as_secs_f64() * 1000.0);
    }
    let n = four.len().max(1);
    row(
        &format!(
            "report, 4 weeks by member × project × week (≈{} rows over ≈{} entries)",
            rows / n,
            entries / n as i64
        ),
        four,
        "≤ 50",
    );
    row("report, 1 week", one, "≤ 50");
    let started = Instant::now();
    let res = b
        .client
        .get(format!("{}/time-report.csv?from={}&to={today}", b.base, today - time::Duration::days(363)))
        .bearer_auth(owner)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let lines = res.text().await.unwrap().lines().count();
    println!("| report CSV over 52 weeks ({lines} lines), ms | {:.1} | |", started.elapsed().as_secs_f64() * 1000.0);
}
