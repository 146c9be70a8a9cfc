//! The demo's time (R-TIME-1): a few stopped entries of last week on the demo projects and one
//! running timer (`roster demo`), and `roster demo --time-entries N`: generated stopped entries
//! for the benchmark (`bench/time.sh`), spread over two years of weekdays round the account's
//! members, four in five on a project, in batches of [`RECORD_BATCH`](super::demo_bulk::RECORD_BATCH).
use roster_core::scope::{InternalUse, internal};
use roster_core::{AuditAction, Scope, TimeSource};
use roster_store::{TimeEntryRow, Tx};
use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

use super::demo_bulk::RECORD_BATCH;
use super::demo_fill::Rng;
use super::demo_work::{count, demo_audit};
use crate::accounts::lanes::Lanes;
use crate::records::time::week_of;
use crate::{Result, Service, now};

/// Notes of generated entries.
const NOTES: &[&str] = &["Design", "Client call", "Revisions", "Research", "Copy", "Meeting", "Layout", "Admin", ""];
/// A fixed seed: the same entries every run.
const SEED: u64 = 0x5EED_0025_0000_0001;

/// A stopped entry of `user` from `start`, `minutes` long.
fn stopped(
    account_id: Uuid,
    user: Uuid,
    project: Option<Uuid>,
    start: OffsetDateTime,
    minutes: i64,
    note: &str,
) -> TimeEntryRow {
    let end = start + Duration::minutes(minutes);
    TimeEntryRow {
        id: Uuid::now_v7(),
        account_id,
        user_id: user,
        project_id: project,
        contact_id: None,
        note: note.to_owned(),
        source: TimeSource::Manual,
        started_at: start,
        ended_at: Some(end),
        seconds: Some(minutes * 60),
        week: week_of(start),
        created_by: user,
        created_at: end,
        updated_at: end,
    }
}

/// The plain demo's time: each person's last-week entries on the demo projects, and the first
/// person's timer running since an hour ago. Entries made.
pub(crate) async fn demo_time(
    tx: &mut dyn Tx,
    scope: &Scope,
    people: &[Uuid],
    projects: &[Uuid],
    monday: OffsetDateTime,
) -> Result<u32> {
    let a = scope.account_id();
    let last_week = monday - Duration::days(7);
    let mut rows = Vec::new();
    for (i, who) in people.iter().enumerate() {
        for day in 0..5i64 {
            let project = projects.get((i + day as usize) % projects.len().max(1)).copied();
            let start = last_week + Duration::days(day) + Duration::hours(9 + (i as i64 % 3));
            rows.push(stopped(
                a,
                *who,
                project,
                start,
                60 + 30 * ((day + i as i64) % 4),
                NOTES[(i + day as usize) % NOTES.len()],
            ));
        }
    }
    let mut made = count(tx.insert_time_entries_bulk(scope, &rows).await?);
    if let Some(who) = people.first() {
        let start = now() - Duration::hours(1);
        let mut running = stopped(a, *who, projects.first().copied(), start, 0, "Quote for the spring campaign");
        (running.ended_at, running.seconds, running.source) = (None, None, TimeSource::Timer);
        tx.insert_time_entry(scope, &running).await?;
        made += 1;
    }
    Ok(made)
}

impl Service {
    /// Adds `n` generated stopped time entries to the account `slug` (the demo account by
    /// default). `progress` hears the running total.
    pub async fn demo_fill_time_entries(
        &self,
        slug: Option<&str>,
        n: u32,
        progress: &(dyn Fn(u32) + Sync),
    ) -> Result<u32> {
        let slug = slug.unwrap_or(crate::accounts::demo::DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let (sales, others) = self.demo_assignees(account_id, slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let projects: Vec<Uuid> = {
            let mut tx = self.store.read().await?;
            tx.project_choices(&scope, 200).await?.into_iter().map(|(id, _)| id).collect()
        };
        let people: Vec<Uuid> = sales.into_iter().chain(others).collect();
        if people.is_empty() {
            return Ok(0);
        }
        let first_day = now().replace_time(Time::MIDNIGHT) - Duration::days(2 * 365);
        let mut rng = Rng(SEED);
        let mut lanes = Lanes::new(self.store.backend(), progress);
        let mut sent = 0u32;
        while sent < n {
            let batch = RECORD_BATCH.min(n - sent);
            let mut rows = Vec::with_capacity(batch as usize);
            for _ in 0..batch {
                let who = people[(rng.next() % people.len() as u64) as usize];
                let mut day = first_day + Duration::days((rng.next() % (2 * 365)) as i64);
                day -= Duration::days(i64::from(day.weekday().number_days_from_monday().saturating_sub(4)));
                let start = day + Duration::minutes((8 * 60 + (rng.next() % 36) * 15) as i64);
                let minutes = [15, 30, 45, 60, 90, 120, 180, 240][(rng.next() % 8) as usize];
                let project = (!projects.is_empty() && !rng.next().is_multiple_of(5))
                    .then(|| projects[(rng.next() % projects.len() as u64) as usize]);
                rows.push(stopped(account_id, who, project, start, minutes, rng.pick(NOTES)));
            }
            sent += batch;
            lanes.push(self.demo_time_batch(scope, rows)).await?;
        }
        lanes.finish().await
    }

    async fn demo_time_batch(&self, scope: Scope, rows: Vec<TimeEntryRow>) -> Result<u32> {
        let mut tx = self.store.begin().await?;
        let n = count(tx.insert_time_entries_bulk(&scope, &rows).await?);
        tx.insert_audit(&demo_audit(&scope, AuditAction::TimeEntryCreated, n, now())).await?;
        tx.commit().await?;
        Ok(n)
    }
}
