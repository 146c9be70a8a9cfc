//! The operator's view of the jobs (`/jobs`): counts by state, the failed ones with their
//! reason, and "retry". Jobs are the installation's machinery: nobody else may see them, not
//! even an account's owner (404, as for the operator's other pages).
use roster_core::{AuditAction, JobKind, JobState};
use roster_store::JobRow;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError};

/// Failed jobs shown at once.
const FAILED_SHOWN: i64 = 200;

/// One job as the operator sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub kind: JobKind,
    pub state: JobState,
    pub attempts: i32,
    pub due_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
}

impl From<&JobRow> for JobView {
    fn from(j: &JobRow) -> Self {
        JobView {
            id: j.id,
            account_id: j.account_id,
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            due_at: j.due_at,
            last_error: j.last_error.clone(),
            created_at: j.created_at,
        }
    }
}

/// Counts by state and the failed jobs, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobOverview {
    pub due: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
    pub failed_jobs: Vec<JobView>,
}

fn operator_only(p: &Principal) -> Result<()> {
    if !p.user.is_operator || p.is_confined() {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

impl Service {
    /// Jobs by state (every state listed), for `/metrics`.
    pub async fn job_counts(&self) -> Result<Vec<(JobState, i64)>> {
        let counts = self.store.read().await?.job_counts().await?;
        Ok(JobState::ALL.iter().map(|s| (*s, counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n))).collect())
    }

    /// The operator's `/jobs` page.
    pub async fn job_overview(&self, p: &Principal) -> Result<JobOverview> {
        operator_only(p)?;
        let counts = self.job_counts().await?;
        let n = |s: JobState| counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
        let failed_jobs = self.store.read().await?.failed_jobs(FAILED_SHOWN).await?;
        Ok(JobOverview {
            due: n(JobState::Due),
            running: n(JobState::Running),
            done: n(JobState::Done),
            failed: n(JobState::Failed),
            failed_jobs: failed_jobs.iter().map(JobView::from).collect(),
        })
    }

    /// Puts a failed job back in the queue, due now with its attempts reset (audit `job.retried`).
    pub async fn retry_job(&self, p: &Principal, job_id: Uuid, meta: &Meta) -> Result<JobView> {
        operator_only(p)?;
        let mut tx = self.store.begin().await?;
        let job = tx.job_by_id(job_id).await?.ok_or(ServiceError::NotFound)?;
        if !tx.retry_job(job_id, OffsetDateTime::now_utc()).await? {
            return Err(ServiceError::Conflict {
                code: roster_core::ProblemCode::NotFailed,
                message: format!("Only a failed job can be retried; this one is {}.", job.state),
            });
        }
        tx.insert_audit(&audit(AuditAction::JobRetried, p.who(), job.account_id, ("job", job_id.to_string()), meta))
            .await?;
        let job = tx.job_by_id(job_id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(JobView::from(&job))
    }
}
