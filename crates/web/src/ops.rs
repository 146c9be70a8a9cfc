//! `/healthz`, `/readyz`, `/metrics`.
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;
use crate::error::ApiError;

/// 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process runs")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the database answers, migrations are applied, it can write and the server is not
/// shutting down; else 503 saying which (`not_ready`, or `storage_unavailable` for a disk that
/// is full or failing). Answers within about a second while the database is down.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "Not ready: the detail says why", body = crate::error::Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    use roster_core::ProblemCode;
    use roster_store::Readiness;
    if state.draining.load(std::sync::atomic::Ordering::Acquire) {
        return Err(ApiError::new(ProblemCode::NotReady, "Shutting down: finishing the requests in flight."));
    }
    match state.service.readiness().await {
        Readiness::Ready => Ok("ready"),
        Readiness::Unreachable(_) => Err(ApiError::new(ProblemCode::NotReady, "The database is not answering.")),
        Readiness::NotMigrated => {
            Err(ApiError::new(ProblemCode::NotReady, "The database's migrations are not applied (run roster migrate)."))
        }
        Readiness::Storage(_) => Err(ApiError::new(
            ProblemCode::StorageUnavailable,
            "The database cannot write: its disk is full or failing. Reads still work.",
        )),
    }
}

/// Prometheus text.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut body = state.metrics.render(state.service.pool_stats());
    if let Some(lanes) = state.service.shared_read_counts() {
        body.push_str(
            "# HELP roster_shared_read_asks_total Reads asked for by requests, on lanes shared by requests asking at the same time (decision 0111).\n# TYPE roster_shared_read_asks_total counter\n",
        );
        for (lane, c) in lanes {
            body.push_str(&format!("roster_shared_read_asks_total{{lane=\"{lane}\"}} {}\n", c.asks));
        }
        body.push_str(
            "# HELP roster_shared_reads_total Statements that answered those asks.\n# TYPE roster_shared_reads_total counter\n",
        );
        for (lane, c) in lanes {
            body.push_str(&format!("roster_shared_reads_total{{lane=\"{lane}\"}} {}\n", c.reads));
        }
    }
    if let Ok(counts) = state.service.outbox_counts().await {
        body.push_str("# HELP roster_emails Emails in the outbox by status.\n# TYPE roster_emails gauge\n");
        for (status, n) in counts {
            body.push_str(&format!("roster_emails{{status=\"{status}\"}} {n}\n"));
        }
    }
    if let Ok(counts) = state.service.job_counts().await {
        body.push_str("# HELP roster_jobs Jobs of the job runner by state.\n# TYPE roster_jobs gauge\n");
        for (state, n) in counts {
            body.push_str(&format!("roster_jobs{{state=\"{state}\"}} {n}\n"));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
