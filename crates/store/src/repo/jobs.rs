//! The job runner's table of due jobs (decision 0096). A runner claims due jobs with a lease
//! and completes each in the unit of work that writes its effect: [`JobRepo::complete_job`]
//! succeeds only for the runner holding the current lease, so a runner whose lease was taken
//! over commits nothing. Jobs belong to the installation (an account id only says whose work it
//! is), so these calls take no record scope; the handlers reach records through
//! `scope::internal`.
use async_trait::async_trait;
use roster_core::{JobKind, JobState};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: Uuid,
    /// Whose work it is; `None` for the installation's own (e.g. the reminder sweep).
    pub account_id: Option<Uuid>,
    pub kind: JobKind,
    /// The handler's input, JSON text.
    pub payload: String,
    /// Unique per kind: enqueuing the same key twice makes one job.
    pub dedupe_key: String,
    /// When it may next be claimed: its time while `due`, its lease's end while `running`.
    pub due_at: OffsetDateTime,
    pub state: JobState,
    /// Claims so far (a claim counts even when its runner dies before recording anything).
    pub attempts: i32,
    pub lease_until: Option<OffsetDateTime>,
    /// The runner holding (or last holding) the lease.
    pub claimed_by: Option<Uuid>,
    pub last_error: Option<String>,
    pub done_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl JobRow {
    /// A new due job.
    pub fn new(
        account_id: Option<Uuid>,
        kind: JobKind,
        payload: String,
        dedupe_key: String,
        due_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Self {
        JobRow {
            id: Uuid::now_v7(),
            account_id,
            kind,
            payload,
            dedupe_key,
            due_at,
            state: JobState::Due,
            attempts: 0,
            lease_until: None,
            claimed_by: None,
            last_error: None,
            done_at: None,
            created_at: now,
        }
    }
}

#[async_trait]
pub trait JobRepo {
    /// Inserts the job unless one of its kind with its dedupe key exists; true when inserted.
    async fn enqueue_job(&mut self, job: &JobRow) -> Result<bool>;
    /// Leases up to `limit` jobs claimable at `now` (due, or running with an expired lease) to
    /// `runner` until `lease_until`, oldest first; each claim counts one attempt. PostgreSQL
    /// skips rows another unit of work holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
    async fn claim_jobs(
        &mut self,
        runner: Uuid,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<JobRow>>;
    /// Marks the job done in this unit of work, only while `runner` holds the lease it claimed
    /// (`claimed_by`, `lease_until`, `running`); false otherwise, and the caller must roll back.
    async fn complete_job(
        &mut self,
        id: Uuid,
        runner: Uuid,
        lease_until: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// Records a failed attempt under the same guard: due again at `retry_at`, or `failed` for
    /// good when `retry_at` is `None`.
    async fn fail_job(
        &mut self,
        id: Uuid,
        runner: Uuid,
        lease_until: OffsetDateTime,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool>;
    /// Puts a failed job back, due at `now`, with its attempts reset; false when not failed.
    async fn retry_job(&mut self, id: Uuid, now: OffsetDateTime) -> Result<bool>;
    async fn job_by_id(&mut self, id: Uuid) -> Result<Option<JobRow>>;
    /// Failed jobs, newest first.
    async fn failed_jobs(&mut self, limit: i64) -> Result<Vec<JobRow>>;
    /// How many jobs are in each state (states without jobs are absent).
    async fn job_counts(&mut self) -> Result<Vec<(JobState, i64)>>;
    /// Deletes up to `limit` jobs done before `before`; how many went.
    async fn purge_done_jobs(&mut self, before: OffsetDateTime, limit: i64) -> Result<u64>;
}
