//! Time entries and timers (R-TIME-1). `Reach::Own` is "the entries I made for myself",
//! `Reach::OwnAndProjects` adds every entry on a project; a running timer is an entry without
//! `ended_at` (at most one per member: `time_entries_one_running`).
use async_trait::async_trait;
use roster_core::{Scope, TimeSource};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One time entry, or a running timer (`ended_at` and `seconds` empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntryRow {
    pub id: Uuid,
    pub account_id: Uuid,
    /// The member whose time it is.
    pub user_id: Uuid,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub note: String,
    pub source: TimeSource,
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    /// `ended_at - started_at` in whole seconds, once stopped.
    pub seconds: Option<i64>,
    /// The Monday (`YYYY-MM-DD`) of `started_at`'s ISO week in UTC.
    pub week: String,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Which entries a list or a report wants, inside the scope. `from`/`to` bound `started_at`
/// (`from` included, `to` excluded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeFilter {
    pub member: Option<Uuid>,
    pub project: Option<Uuid>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// One group of the report: a member's stopped time on a project in one week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTotalRow {
    pub user_id: Uuid,
    pub project_id: Option<Uuid>,
    pub week: String,
    pub seconds: i64,
    pub entries: i64,
}

#[async_trait]
pub trait TimeRepo {
    /// Adds an entry (or starts a timer) in the scope's account; a second running timer of the
    /// same member is `StoreError::Conflict("timer")`.
    async fn insert_time_entry(&mut self, scope: &Scope, row: &TimeEntryRow) -> Result<()>;
    /// The member's running timer, if it is in the scope.
    async fn running_timer(&mut self, scope: &Scope, user_id: Uuid) -> Result<Option<TimeEntryRow>>;
    /// Stops the member's running timer at `at` (never before it started): the stopped entry.
    async fn stop_timer(&mut self, scope: &Scope, user_id: Uuid, at: OffsetDateTime) -> Result<Option<TimeEntryRow>>;
    /// The entry, if it is in the scope.
    async fn time_entry(&mut self, scope: &Scope, id: Uuid) -> Result<Option<TimeEntryRow>>;
    /// Entries in the scope matching `filter`, newest start first, after `(started_at, id)`, at
    /// most `limit`.
    async fn time_entries(
        &mut self,
        scope: &Scope,
        filter: &TimeFilter,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: i64,
    ) -> Result<Vec<TimeEntryRow>>;
    /// Project, contact, note, start, end, seconds and week of an entry in the scope: rows changed.
    async fn update_time_entry(&mut self, scope: &Scope, row: &TimeEntryRow) -> Result<u64>;
    /// Deletes an entry in the scope: rows deleted.
    async fn delete_time_entry(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
    /// Generated stopped entries (`roster demo --time-entries`), many per statement on
    /// PostgreSQL: rows inserted.
    async fn insert_time_entries_bulk(&mut self, scope: &Scope, rows: &[TimeEntryRow]) -> Result<u64>;
    /// Stopped time in the scope matching `filter`, summed by member, project and week, in no
    /// particular order (the report orders its own rows).
    async fn time_totals(&mut self, scope: &Scope, filter: &TimeFilter) -> Result<Vec<TimeTotalRow>>;
}
