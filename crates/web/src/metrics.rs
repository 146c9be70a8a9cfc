//! A small Prometheus registry owned by the app (no global recorder, so several apps in one
//! test process keep separate figures): request counts by route and status, a latency
//! histogram by route, and database pool gauges.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use roster_store::PoolStats;

use crate::AppState;

const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method.to_owned(), route.to_owned())).or_default();
            let secs = elapsed.as_secs_f64();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// The Prometheus text exposition of everything recorded.
    pub fn render(&self, pool: PoolStats) -> String {
        let mut out = String::new();
        out.push_str("# HELP roster_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE roster_http_requests_total counter\n");
        if let Ok(c) = self.counts.lock() {
            for ((m, r, s), n) in c.iter() {
                let _ = writeln!(out, "roster_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {n}");
            }
        }
        out.push_str("# HELP roster_http_request_duration_seconds HTTP request latency by route.\n");
        out.push_str("# TYPE roster_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for ((m, r), h) in l.iter() {
                let labels = format!("method=\"{m}\",route=\"{r}\"");
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "roster_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                        h.buckets[i]
                    );
                }
                let _ =
                    writeln!(out, "roster_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "roster_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
                let _ = writeln!(out, "roster_http_request_duration_seconds_count{{{labels}}} {}", h.count);
            }
        }
        out.push_str("# HELP roster_db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE roster_db_pool_connections gauge\n");
        let _ = writeln!(out, "roster_db_pool_connections{{state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "roster_db_pool_connections{{state=\"busy\"}} {}", pool.size.saturating_sub(pool.idle));
        out
    }
}

/// Middleware: times every request and records it under its route template (never the raw
/// path, so ids do not explode the label set).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    state.metrics.observe(&method, &route, res.status().as_u16(), start.elapsed());
    res
}
