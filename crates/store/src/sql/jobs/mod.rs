//! The job runner's table (decision 0096). The claim is the driver's `CLAIM_JOBS_SQL` (`FOR
//! UPDATE SKIP LOCKED` on PostgreSQL, a plain `UPDATE … RETURNING` under SQLite's one writer);
//! every later write names the runner and the lease it claimed, so a runner whose lease was
//! taken over changes nothing.
use async_trait::async_trait;
use roster_core::{JobKind, JobState};
use time::OffsetDateTime;
use uuid::Uuid;

use super::driver::{CLAIM_JOBS_SQL, SqlTx, get, to_db};
use super::{DbRow, catalogued, opt_time, time, uuid};
use crate::{JobRepo, JobRow, Result};

fn job_from_row(r: &DbRow<'_>) -> Result<JobRow> {
    Ok(JobRow {
        id: uuid(r, "id")?,
        account_id: get(r, "account_id")?,
        kind: catalogued(r, "kind", JobKind::parse)?,
        payload: get(r, "payload")?,
        dedupe_key: get(r, "dedupe_key")?,
        due_at: time(r, "due_at")?,
        state: catalogued(r, "state", JobState::parse)?,
        attempts: get(r, "attempts")?,
        lease_until: opt_time(r, "lease_until")?,
        claimed_by: get(r, "claimed_by")?,
        last_error: get(r, "last_error")?,
        done_at: opt_time(r, "done_at")?,
        created_at: time(r, "created_at")?,
    })
}

const JOB_BY_ID: &str = concat!("SELECT ", job_cols!(), " FROM jobs WHERE id = $1");
const FAILED_JOBS: &str =
    concat!("SELECT ", job_cols!(), " FROM jobs WHERE state = 'failed' ORDER BY id DESC LIMIT $1");

#[async_trait]
impl JobRepo for SqlTx {
    async fn enqueue_job(&mut self, j: &JobRow) -> Result<bool> {
        let n = self
            .exec(
                concat!(
                    "INSERT INTO jobs (",
                    job_cols!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (kind, dedupe_key) DO NOTHING"
                ),
                args![
                    j.id,
                    j.account_id,
                    j.kind.as_str(),
                    j.payload,
                    j.dedupe_key,
                    to_db(j.due_at),
                    j.state.as_str(),
                    j.attempts,
                    j.lease_until.map(to_db),
                    j.claimed_by,
                    j.last_error,
                    j.done_at.map(to_db),
                    to_db(j.created_at)
                ],
            )
            .await?;
        Ok(n == 1)
    }

    async fn claim_jobs(
        &mut self,
        runner: Uuid,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<JobRow>> {
        self.all(CLAIM_JOBS_SQL, args![to_db(now), runner, to_db(lease_until), limit], job_from_row).await
    }

    async fn complete_job(
        &mut self,
        id: Uuid,
        runner: Uuid,
        lease_until: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE jobs SET state = 'done', done_at = $4, lease_until = NULL, last_error = NULL \
                 WHERE id = $1 AND claimed_by = $2 AND lease_until = $3 AND state = 'running'",
                args![id, runner, to_db(lease_until), to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn fail_job(
        &mut self,
        id: Uuid,
        runner: Uuid,
        lease_until: OffsetDateTime,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let n = match retry_at {
            Some(at) => {
                self.exec(
                    "UPDATE jobs SET state = 'due', due_at = $5, last_error = $4, lease_until = NULL \
                     WHERE id = $1 AND claimed_by = $2 AND lease_until = $3 AND state = 'running'",
                    args![id, runner, to_db(lease_until), error, to_db(at)],
                )
                .await?
            }
            None => {
                self.exec(
                    "UPDATE jobs SET state = 'failed', last_error = $4, lease_until = NULL \
                     WHERE id = $1 AND claimed_by = $2 AND lease_until = $3 AND state = 'running'",
                    args![id, runner, to_db(lease_until), error],
                )
                .await?
            }
        };
        Ok(n == 1)
    }

    async fn retry_job(&mut self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE jobs SET state = 'due', due_at = $2, attempts = 0, lease_until = NULL, claimed_by = NULL \
                 WHERE id = $1 AND state = 'failed'",
                args![id, to_db(now)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn job_by_id(&mut self, id: Uuid) -> Result<Option<JobRow>> {
        self.opt(JOB_BY_ID, args![id], job_from_row).await
    }

    async fn failed_jobs(&mut self, limit: i64) -> Result<Vec<JobRow>> {
        self.all(FAILED_JOBS, args![limit], job_from_row).await
    }

    async fn job_counts(&mut self) -> Result<Vec<(JobState, i64)>> {
        self.all("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state", args![], |r| {
            Ok((catalogued(r, "state", JobState::parse)?, get(r, "n")?))
        })
        .await
    }

    async fn purge_done_jobs(&mut self, before: OffsetDateTime, limit: i64) -> Result<u64> {
        self.exec(
            "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' AND done_at < $1 LIMIT $2)",
            args![to_db(before), limit],
        )
        .await
    }
}
