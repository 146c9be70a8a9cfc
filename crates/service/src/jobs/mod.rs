//! The job runner (issue 17, decision 0096): one table of due jobs (`jobs`), claimed with a
//! lease by any number of runners (one per replica, in `roster serve`), each job done once.
//!
//! - [`enqueue`] writes a job in the caller's unit of work; the kind's dedupe key makes
//!   enqueuing the same thing twice one job.
//! - [`Service::run_jobs_once`] claims a batch and runs each job through [`handler`], the one
//!   dispatch from [`JobKind`] to its code. A [`Handler::InTx`] handler writes its effect in the
//!   unit of work that marks the job done, guarded by the runner's lease, so the effect commits
//!   exactly once whatever the number of runners or crashes. A [`Handler::Idempotent`] handler
//!   commits its own units of work and must be safe to run again (a crash between its effect and
//!   the done mark runs it again); the reminder sweep is one, its claims in `reminder_claims`
//!   make it so.
//! - A failure rolls the effect back, then (in its own unit of work) records the reason and
//!   makes the job due again after [`backoff`], or `failed` after [`MAX_ATTEMPTS`] claims:
//!   shown on the operator's `/jobs` page, counted in `/metrics`, retried by hand.
use roster_core::JobKind;
use roster_store::{JobRow, Tx};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{Result, Service};

mod operator;
mod runner;

pub use operator::{JobOverview, JobView};
pub use runner::{JobPass, RunnerOptions};

/// Claims after which a failing job stays `failed` (an operator may retry it).
pub const MAX_ATTEMPTS: i32 = 8;
/// The first retry's delay; each later one doubles, up to [`BACKOFF_CAP`].
pub const BACKOFF_BASE: Duration = Duration::seconds(30);
pub const BACKOFF_CAP: Duration = Duration::hours(1);

/// The delay before the next attempt after `attempts` claims: 30 s · 2^(attempts−1), at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(16);
    (BACKOFF_BASE * 2_i32.pow(exp)).min(BACKOFF_CAP)
}

/// Enqueues a job in the caller's unit of work; false when a job of this kind with this key
/// exists already (nothing is written).
pub async fn enqueue(
    tx: &mut dyn Tx,
    account_id: Option<Uuid>,
    kind: JobKind,
    payload: &Value,
    dedupe_key: &str,
    due_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool> {
    let job = JobRow::new(account_id, kind, payload.to_string(), dedupe_key.to_owned(), due_at, now);
    Ok(tx.enqueue_job(&job).await?)
}

/// How a kind's handler commits its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// In the runner's unit of work, with the done mark: exactly once.
    InTx,
    /// In its own units of work, before the done mark: at least once, so it must be idempotent.
    Idempotent,
}

/// The registry: how each kind runs. A new kind fails to compile until it is listed here and
/// in [`Service::handle_in_tx`] or [`Service::handle_idempotent`].
pub fn handler(kind: JobKind) -> Handler {
    match kind {
        JobKind::RemindersSweep => Handler::Idempotent,
        JobKind::WorkflowStep => Handler::InTx,
    }
}

/// The dedupe key of the reminder sweep of the minute holding `at`.
pub fn sweep_key(at: OffsetDateTime) -> String {
    format!("{}T{:02}:{:02}", at.date(), at.hour(), at.minute())
}

impl Service {
    /// Runs an [`Handler::InTx`] job's effect in `tx`, the unit of work that marks it done.
    async fn handle_in_tx(&self, tx: &mut dyn Tx, job: &JobRow, now: OffsetDateTime) -> Result<()> {
        match job.kind {
            // R-WF-1: the step's effect, its state and the next step's job.
            JobKind::WorkflowStep => self.run_workflow_step(tx, job, now).await,
            JobKind::RemindersSweep => Err(crate::ServiceError::Internal(format!(
                "{} runs in its own units of work, not the runner's",
                job.kind
            ))),
        }
    }

    /// Runs an [`Handler::Idempotent`] job, which commits its own units of work.
    async fn handle_idempotent(&self, job: &JobRow, now: OffsetDateTime) -> Result<()> {
        match job.kind {
            // R-MAIL-5: one pass; each member's day is claimed in `reminder_claims` with its email.
            JobKind::RemindersSweep => self.run_daily_reminders(now).await.map(|_| ()),
            JobKind::WorkflowStep => {
                Err(crate::ServiceError::Internal(format!("{} runs in the runner's unit of work", job.kind)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_wf_1_backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(240));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(1000), Duration::hours(1));
        assert_eq!(backoff(0), Duration::seconds(30));
    }

    #[test]
    fn every_kind_has_a_handler_and_sweep_keys_name_the_minute() {
        for k in JobKind::ALL {
            let _ = handler(*k);
        }
        let t = time::Date::from_calendar_date(2026, time::Month::December, 6)
            .and_then(|d| d.with_hms(16, 5, 59))
            .expect("a valid time")
            .assume_utc();
        assert_eq!(sweep_key(t), "2026-12-06T16:05");
    }
}
