//! Time entries and timers (R-TIME-1): the SQL. An entry is in a scope when it is the scope's
//! account's and, for `Reach::Own`, the scope's user's; `Reach::OwnAndProjects` adds the entries
//! that have a project (a `projects.view_all` holder sees every project). Running timers are
//! the rows without `ended_at`; the report sums `seconds` by member, project and week over the
//! `(account_id, started_at)` range of the covering index `time_entries_report`.
use roster_core::{Reach, Scope, TimeSource};
use time::OffsetDateTime;
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
        let sql = format!(
            "SELECT e.user_id, e.project_id, e.week, CAST(SUM(e.seconds) AS BIGINT) AS total, \
             CAST(COUNT(*) AS BIGINT) AS n FROM time_entries e \
             WHERE {IN_SCOPE} AND e.seconds IS NOT NULL{} \
             GROUP BY e.user_id, e.project_id, e.week",
            filter_sql(filter)
        );
        // Planned with its values (not persistent): PostgreSQL's generic plan guessed a few
        // thousand rows for any range and sorted ~38,000 on disk for a 4-week report (88 ms);
        // with the range known it hashes them in memory (26 ms, decision 0102).
        self.all_dyn(
            &sql,
            false,
            args![
                a,
                all,
                me,
                p,
                filter.member.unwrap_or_default(),
                filter.project.unwrap_or_default(),
                to_db(epoch_or(filter.from)),
                to_db(epoch_or(filter.to))
            ],
            |r| {
                Ok(TimeTotalRow {
                    user_id: uuid(r, "user_id")?,
                    project_id: get(r, "project_id")?,
                    week: get(r, "week")?,
                    seconds: get(r, "total")?,
                    entries: get(r, "n")?,
                })
            },
        )
        .await
    }
}
