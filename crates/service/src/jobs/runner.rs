//! The runner: claims due jobs with a lease, runs each through its handler, records the
//! outcome. One runs in every `roster serve` (any number of replicas), as
//! `Identity::Internal(Internal::JobRunner)`.
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use roster_core::JobKind;
use roster_store::JobRow;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Handler, MAX_ATTEMPTS, backoff, enqueue, handler, sweep_key};
use crate::actor::Internal;
use crate::{Result, Service};

/// How a runner claims.
#[derive(Debug, Clone, Copy)]
pub struct RunnerOptions {
    /// Jobs claimed at once.
    pub batch: i64,
    /// How long a claim holds: another runner may take the job over after it (a crashed runner).
    pub lease: Duration,
    /// How often the runner looks for due jobs when the last look found none.
    pub poll: std::time::Duration,
    /// Done jobs are kept this long (their dedupe keys with them), then purged.
    pub keep_done: Duration,
    /// Claimed jobs run at once, each in its own unit of work (PostgreSQL commits them
    /// together; SQLite's one writer takes them in turn).
    pub concurrency: usize,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            batch: 50,
            lease: Duration::minutes(5),
            poll: std::time::Duration::from_secs(1),
            keep_done: Duration::days(7),
            concurrency: 8,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobPass {
    /// Jobs claimed.
    pub claimed: usize,
    /// Done (effect and mark committed).
    pub done: usize,
    /// Failed this time (due again later, or `failed` for good).
    pub failed: usize,
    /// Whose lease another runner took over meanwhile: nothing committed here.
    pub lost: usize,
}

enum Outcome {
    Done,
    Failed,
    Lost,
}

impl Service {
    /// One pass: claims up to `opts.batch` jobs due at `now` for `runner` and runs them.
    pub async fn run_jobs_once(&self, runner: Uuid, now: OffsetDateTime, opts: RunnerOptions) -> Result<JobPass> {
        let mut tx = self.store.begin().await?;
        let jobs = tx.claim_jobs(runner, now, now + opts.lease, opts.batch).await?;
        tx.commit().await?;
        let mut pass = JobPass { claimed: jobs.len(), ..JobPass::default() };
        // Up to `concurrency` at once, each in its own unit of work (no closure: the future
        // stays `Send` for `tokio::spawn`).
        let mut queue = jobs.iter();
        let mut running = FuturesUnordered::new();
        for job in queue.by_ref().take(opts.concurrency.max(1)) {
            running.push(self.run_job(runner, job, now));
        }
        while let Some(outcome) = running.next().await {
            match outcome? {
                Outcome::Done => pass.done += 1,
                Outcome::Failed => pass.failed += 1,
                Outcome::Lost => pass.lost += 1,
            }
            if let Some(job) = queue.next() {
                running.push(self.run_job(runner, job, now));
            }
        }
        Ok(pass)
    }

    /// Runs one claimed job; an `Err` is the store failing, not the job.
    async fn run_job(&self, runner: Uuid, job: &JobRow, now: OffsetDateTime) -> Result<Outcome> {
        let Some(lease) = job.lease_until else { return Ok(Outcome::Lost) };
        let result = match handler(job.kind) {
            Handler::InTx => {
                let mut tx = self.store.begin().await?;
                // The mark first: it takes the row, so no other runner claims it while the effect
                // is written (PostgreSQL skips it, SQLite has one writer).
                if !tx.complete_job(job.id, runner, lease, OffsetDateTime::now_utc().max(now)).await? {
                    return Ok(Outcome::Lost);
                }
                match self.handle_in_tx(tx.as_mut(), job, now).await {
                    Ok(()) => tx.commit().await.map_err(crate::ServiceError::from),
                    Err(e) => Err(e), // dropping `tx` rolls the effect and the mark back
                }
            }
            Handler::Idempotent => match self.handle_idempotent(job, now).await {
                Ok(()) => {
                    let mut tx = self.store.begin().await?;
                    if !tx.complete_job(job.id, runner, lease, OffsetDateTime::now_utc().max(now)).await? {
                        return Ok(Outcome::Lost);
                    }
                    tx.commit().await.map_err(crate::ServiceError::from)
                }
                Err(e) => Err(e),
            },
        };
        let Err(e) = result else { return Ok(Outcome::Done) };
        let reason: String = e.to_string().chars().take(2000).collect();
        let retry_at = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
        tracing::warn!(
            job = %job.id, kind = %job.kind, attempts = job.attempts, final = retry_at.is_none(), error = %reason,
            "job failed"
        );
        let mut tx = self.store.begin().await?;
        let recorded = tx.fail_job(job.id, runner, lease, &reason, retry_at).await?;
        tx.commit().await?;
        Ok(if recorded { Outcome::Failed } else { Outcome::Lost })
    }

    /// Enqueues the recurring jobs due at `now` (each deduplicated, so every replica may): the
    /// reminder sweep of this minute (R-MAIL-5).
    pub async fn schedule_recurring_jobs(&self, now: OffsetDateTime) -> Result<()> {
        let mut tx = self.store.begin().await?;
        enqueue(tx.as_mut(), None, JobKind::RemindersSweep, &json!({}), &sweep_key(now), now, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The runner loop of `roster serve`: schedules the recurring jobs, runs passes while they
    /// find work, polls every `opts.poll` otherwise, purges old done jobs hourly, until
    /// `shutdown` resolves (a pass under way finishes first).
    pub async fn run_job_runner(self, opts: RunnerOptions, shutdown: impl Future<Output = ()>) {
        let runner = Uuid::now_v7();
        let why = Internal::JobRunner.as_str();
        tracing::info!(job = why, runner = %runner, "job runner started");
        tokio::pin!(shutdown);
        let mut last_purge: Option<OffsetDateTime> = None;
        loop {
            let now = OffsetDateTime::now_utc();
            if let Err(e) = self.schedule_recurring_jobs(now).await {
                tracing::warn!(job = why, error = %e, "scheduling recurring jobs failed");
            }
            if last_purge.is_none_or(|t| now - t > Duration::hours(1)) {
                last_purge = Some(now);
                if let Err(e) = self.purge_done_jobs(now - opts.keep_done).await {
                    tracing::warn!(job = why, error = %e, "purging done jobs failed");
                }
            }
            let busy = match self.run_jobs_once(runner, now, opts).await {
                Ok(pass) => pass.claimed > 0,
                Err(e) => {
                    tracing::warn!(job = why, error = %e, "job pass failed");
                    false
                }
            };
            if busy {
                // More may be due: look again at once, unless asked to stop.
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::task::yield_now() => continue,
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(opts.poll) => {}
            }
        }
        tracing::info!(job = why, runner = %runner, "job runner stopped");
    }

    async fn purge_done_jobs(&self, before: OffsetDateTime) -> Result<()> {
        loop {
            let mut tx = self.store.begin().await?;
            let n = tx.purge_done_jobs(before, 1000).await?;
            tx.commit().await?;
            if n < 1000 {
                return Ok(());
            }
        }
    }
}
