//! Time entries and timers (R-TIME-1): the SQL. An entry is in a scope when it is the scope's
//! account's and, for `Reach::Own`, the scope's user's; `Reach::OwnAndProjects` adds the entries
//! that have a project (a `projects.view_all` holder sees every project). Running timers are
//! the rows without `ended_at`; the report sums `seconds` by member, project and week over the
//! `(account_id, started_at)` range of the covering index `time_entries_report`.
use roster_core::{Reach, Scope, TimeSource};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, catalogued, opt_time, time, uuid};
use crate::{Result, StoreError, TimeEntryRow, TimeFilter, TimeTotalRow};

/// The scope's condition over `time_entries e`, with `$1…$4` from [`time_args`].
const IN_SCOPE: &str = "e.account_id = $1 AND ($2 OR e.user_id = $3 OR ($4 AND e.project_id IS NOT NULL))";

const COLS: &str = "e.id, e.account_id, e.user_id, e.project_id, e.contact_id, e.note, e.source, e.started_at, \
     e.ended_at, e.seconds, e.week, e.created_by, e.created_at, e.updated_at";

/// `(account_id, reaches_all, me, with_projects)` for `$1…$4`.
fn time_args(scope: &Scope) -> (Uuid, bool, Uuid, bool) {
    match scope.reach() {
        Reach::All => (scope.account_id(), true, Uuid::nil(), false),
        Reach::Own(me) => (scope.account_id(), false, me, false),
        Reach::OwnAndProjects(me) => (scope.account_id(), false, me, true),
    }
}

fn entry_from_row(r: &DbRow<'_>) -> Result<TimeEntryRow> {
    Ok(TimeEntryRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        user_id: uuid(r, "user_id")?,
        project_id: get(r, "project_id")?,
        contact_id: get(r, "contact_id")?,
        note: get(r, "note")?,
        source: catalogued(r, "source", TimeSource::parse)?,
        started_at: time(r, "started_at")?,
        ended_at: opt_time(r, "ended_at")?,
        seconds: get(r, "seconds")?,
        week: get(r, "week")?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// The filter's conditions after the scope's, on `$5…$8`.
fn filter_sql(f: &TimeFilter) -> String {
    let mut w = String::new();
    if f.member.is_some() {
        w.push_str(" AND e.user_id = $5");
    }
    if f.project.is_some() {
        w.push_str(" AND e.project_id = $6");
    }
    if f.from.is_some() {
        w.push_str(" AND e.started_at >= $7");
    }
    if f.to.is_some() {
        w.push_str(" AND e.started_at < $8");
    }
    w
}

/// The entries' side of the report: sums by member, project and week.
const ENTRY_TOTALS: &str = "SELECT e.user_id, e.project_id, e.week, CAST(SUM(e.seconds) AS BIGINT) AS total, \
     CAST(COUNT(*) AS BIGINT) AS n FROM time_entries e";
const ENTRY_GROUPS: &str = "GROUP BY e.user_id, e.project_id, e.week";

/// The whole ISO weeks (UTC) inside the filter's range, as the first one's Monday and the
/// Monday after the last one; `None` without both ends or without a whole week between them.
fn whole_weeks(f: &TimeFilter) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let (from, to) = (f.from?, f.to?);
    let mut first = from.date().midnight().assume_utc();
    if first < from {
        first += Duration::days(1);
    }
    first += Duration::days(i64::from((7 - first.weekday().number_days_from_monday()) % 7));
    let end_day = to.date().midnight().assume_utc();
    let end = end_day - Duration::days(i64::from(end_day.weekday().number_days_from_monday()));
    (first < end).then_some((first, end))
}

fn epoch_or(t: Option<OffsetDateTime>) -> OffsetDateTime {
    t.unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[async_trait::async_trait]
impl crate::TimeRepo for SqlTx {
    async fn insert_time_entry(&mut self, scope: &Scope, row: &TimeEntryRow) -> Result<()> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a time entry is added in its scope's account".into()));
        }
        self.exec(
            "INSERT INTO time_entries (id, account_id, user_id, project_id, contact_id, note, source, started_at, \
             ended_at, seconds, week, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            args![
                row.id,
                row.account_id,
                row.user_id,
                row.project_id,
                row.contact_id,
                row.note,
                row.source.as_str(),
                to_db(row.started_at),
                row.ended_at.map(to_db),
                row.seconds,
                row.week,
                row.created_by,
                to_db(row.created_at),
                to_db(row.updated_at)
            ],
        )
        .await?;
        Ok(())
    }

    async fn running_timer(&mut self, scope: &Scope, user_id: Uuid) -> Result<Option<TimeEntryRow>> {
        let (a, all, me, p) = time_args(scope);
        let sql =
            format!("SELECT {COLS} FROM time_entries e WHERE {IN_SCOPE} AND e.user_id = $5 AND e.ended_at IS NULL");
        Ok(self.all_dyn(&sql, true, args![a, all, me, p, user_id], entry_from_row).await?.into_iter().next())
    }

    async fn stop_timer(&mut self, scope: &Scope, user_id: Uuid, at: OffsetDateTime) -> Result<Option<TimeEntryRow>> {
        let Some(running) = self.running_timer(scope, user_id).await? else {
            return Ok(None);
        };
        let end = at.max(running.started_at);
        let seconds = (end - running.started_at).whole_seconds();
        let n = self
            .exec(
                "UPDATE time_entries SET ended_at = $3, seconds = $4, updated_at = $5 \
                 WHERE account_id = $1 AND id = $2 AND ended_at IS NULL",
                args![scope.account_id(), running.id, to_db(end), seconds, to_db(at)],
            )
            .await?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(TimeEntryRow { ended_at: Some(end), seconds: Some(seconds), updated_at: at, ..running }))
    }

    async fn time_entry(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TimeEntryRow>> {
        let (a, all, me, p) = time_args(scope);
        let sql = format!("SELECT {COLS} FROM time_entries e WHERE {IN_SCOPE} AND e.id = $5");
        Ok(self.all_dyn(&sql, true, args![a, all, me, p, id], entry_from_row).await?.into_iter().next())
    }

    async fn time_entries(
        &mut self,
        scope: &Scope,
        filter: &TimeFilter,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TimeEntryRow>> {
        let (a, all, me, p) = time_args(scope);
        let cut = if after.is_some() { " AND (e.started_at, e.id) < ($9, $10)" } else { "" };
        let sql = format!(
            "SELECT {COLS} FROM time_entries e WHERE {IN_SCOPE}{}{cut} \
             ORDER BY e.started_at DESC, e.id DESC LIMIT $11",
            filter_sql(filter)
        );
        let (at, ai) = after.unwrap_or((OffsetDateTime::UNIX_EPOCH, Uuid::nil()));
        self.all_dyn(
            &sql,
            true,
            args![
                a,
                all,
                me,
                p,
                filter.member.unwrap_or_default(),
                filter.project.unwrap_or_default(),
                to_db(epoch_or(filter.from)),
                to_db(epoch_or(filter.to)),
                to_db(at),
                ai,
                limit
            ],
            entry_from_row,
        )
        .await
    }

    async fn update_time_entry(&mut self, scope: &Scope, row: &TimeEntryRow) -> Result<u64> {
        let (a, all, me, p) = time_args(scope);
        let sql = format!(
            "UPDATE time_entries SET project_id = $6, contact_id = $7, note = $8, started_at = $9, ended_at = $10, \
             seconds = $11, week = $12, updated_at = $13 \
             WHERE id IN (SELECT e.id FROM time_entries e WHERE {IN_SCOPE} AND e.id = $5) RETURNING id"
        );
        let n = self
            .all_dyn(
                &sql,
                true,
                args![
                    a,
                    all,
                    me,
                    p,
                    row.id,
                    row.project_id,
                    row.contact_id,
                    row.note,
                    to_db(row.started_at),
                    row.ended_at.map(to_db),
                    row.seconds,
                    row.week,
                    to_db(row.updated_at)
                ],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        Ok(n.len() as u64)
    }

    async fn delete_time_entry(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, all, me, p) = time_args(scope);
        let sql = format!(
            "DELETE FROM time_entries WHERE id IN (SELECT e.id FROM time_entries e WHERE {IN_SCOPE} AND e.id = $5) \
             RETURNING id"
        );
        Ok(self.all_dyn(&sql, true, args![a, all, me, p, id], |r| get::<Uuid>(r, "id")).await?.len() as u64)
    }

    async fn insert_time_entries_bulk(&mut self, scope: &Scope, rows: &[TimeEntryRow]) -> Result<u64> {
        if rows.iter().any(|r| r.account_id != scope.account_id()) {
            return Err(StoreError::Database("time entries are added in their scope's account".into()));
        }
        self.bulk_insert_time_entries(scope.account_id(), rows).await
    }

    async fn time_totals(&mut self, scope: &Scope, filter: &TimeFilter) -> Result<Vec<TimeTotalRow>> {
        let (a, all, me, p) = time_args(scope);
        let (member, project) = (filter.member.unwrap_or_default(), filter.project.unwrap_or_default());
        let row = |r: &DbRow<'_>| {
            Ok(TimeTotalRow {
                user_id: uuid(r, "user_id")?,
                project_id: get(r, "project_id")?,
                week: get(r, "week")?,
                seconds: get(r, "total")?,
                entries: get(r, "n")?,
            })
        };
        // Planned with its values (not persistent): PostgreSQL's generic plan guessed a few
        // thousand rows for any range and sorted ~38,000 on disk for a 4-week report (88 ms);
        // with the range known it hashes them in memory (decision 0102).
        let Some((first, end)) = whole_weeks(filter) else {
            let sql = format!(
                "{ENTRY_TOTALS} WHERE {IN_SCOPE} AND e.seconds IS NOT NULL{} {ENTRY_GROUPS}",
                filter_sql(filter)
            );
            let args = args![a, all, me, p, member, project, to_db(epoch_or(filter.from)), to_db(epoch_or(filter.to))];
            return self.all_dyn(&sql, false, args, row).await;
        };
        // Whole weeks from the rollup kept by triggers (migration 0030), the partial weeks at
        // either edge from the entries: a 4-week report reads ~4 weeks × members × projects
        // rollup rows and at most 12 days of entries (decision 0104).
        let keys = match (filter.member.is_some(), filter.project.is_some()) {
            (true, true) => " AND e.user_id = $5 AND e.project_id = $6",
            (true, false) => " AND e.user_id = $5",
            (false, true) => " AND e.project_id = $6",
            (false, false) => "",
        };
        let sql = format!(
            "SELECT e.user_id, e.project_id, e.week, e.seconds AS total, e.entries AS n FROM time_week_totals e \
             WHERE {IN_SCOPE}{keys} AND e.entries > 0 AND e.week >= $9 AND e.week < $10 \
             UNION ALL {ENTRY_TOTALS} WHERE {IN_SCOPE}{keys} AND e.seconds IS NOT NULL \
             AND e.started_at >= $7 AND e.started_at < $11 {ENTRY_GROUPS} \
             UNION ALL {ENTRY_TOTALS} WHERE {IN_SCOPE}{keys} AND e.seconds IS NOT NULL \
             AND e.started_at >= $12 AND e.started_at < $8 {ENTRY_GROUPS}"
        );
        let monday = |t: OffsetDateTime| t.date().to_string();
        let args = args![
            a,
            all,
            me,
            p,
            member,
            project,
            to_db(epoch_or(filter.from)),
            to_db(epoch_or(filter.to)),
            monday(first),
            monday(end),
            to_db(first),
            to_db(end)
        ];
        self.all_dyn(&sql, false, args, row).await
    }
}
