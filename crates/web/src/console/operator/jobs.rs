//! `GET /jobs`: the job runner as the operator sees it (decision 0096): counts by state, the
//! failed jobs with their reason, and "Retry" (`POST /jobs/{id}/retry`). Anyone else: 404.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::JobView;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, fail, path_id, when};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

/// One failed job as the page shows it.
pub struct FailedLine {
    id: String,
    kind: &'static str,
    account: String,
    attempts: i32,
    error: String,
    created: String,
}

impl FailedLine {
    fn new(j: JobView, zone: &str) -> Self {
        Self {
            id: j.id.to_string(),
            kind: j.kind.as_str(),
            account: j.account_id.map_or_else(|| "installation".to_owned(), |a| a.to_string()),
            attempts: j.attempts,
            error: j.last_error.unwrap_or_default(),
            created: when(j.created_at, zone),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/jobs.html")]
pub struct JobsPage {
    nav: Nav,
    due: i64,
    running: i64,
    done: i64,
    failed: i64,
    failed_jobs: Vec<FailedLine>,
}

pub async fn page(State(state): State<AppState>, user: ConsoleUser) -> PageResult {
    let o = state.service.job_overview(&user.0).await.map_err(fail(&user))?;
    let failed_jobs = o.failed_jobs.into_iter().map(|j| FailedLine::new(j, user.zone())).collect();
    let page =
        JobsPage { nav: user.nav(), due: o.due, running: o.running, done: o.done, failed: o.failed, failed_jobs };
    Ok(page.into_response())
}

/// `POST /jobs/{job_id}/retry`: puts a failed job back in the queue, back to `/jobs`.
pub async fn retry(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    state.service.retry_job(&user.0, path_id(&job_id)?, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to("/jobs").into_response())
}
