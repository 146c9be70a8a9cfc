//! What the API and the console show of time entries, timers and the report.
use roster_core::TimeSource;
use roster_store::TimeEntryRow;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeEntryView {
    pub id: Uuid,
    /// The member whose time it is.
    pub user_id: Uuid,
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub note: String,
    pub source: TimeSource,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// Empty while the timer runs.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Whole seconds, once stopped.
    pub seconds: Option<i64>,
    pub running: bool,
    /// The Monday of the entry's ISO week in UTC (`YYYY-MM-DD`).
    pub week: String,
}

impl From<TimeEntryRow> for TimeEntryView {
    fn from(e: TimeEntryRow) -> Self {
        TimeEntryView {
            id: e.id,
            user_id: e.user_id,
            project_id: e.project_id,
            contact_id: e.contact_id,
            note: e.note,
            source: e.source,
            started_at: e.started_at,
            running: e.ended_at.is_none(),
            ended_at: e.ended_at,
            seconds: e.seconds,
            week: e.week,
        }
    }
}

/// The caller's running timer, if any.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentTimer {
    pub timer: Option<TimeEntryView>,
}

/// What a start did: the new timer, and the one it stopped when asked to `switch`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimerStarted {
    pub timer: TimeEntryView,
    pub stopped: Option<TimeEntryView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeEntryPage {
    pub items: Vec<TimeEntryView>,
    pub next_cursor: Option<String>,
}

/// One row of the report: the grouped keys (absent when not grouped by them) and the total.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct TimeReportRow {
    pub member_id: Option<Uuid>,
    pub member_name: Option<String>,
    pub project_id: Option<Uuid>,
    /// "(no project)" for time without one.
    pub project_name: Option<String>,
    /// The Monday of the ISO week in UTC.
    pub week: Option<String>,
    pub seconds: i64,
    pub entries: i64,
}

/// Hours per week, for the chart.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct TimeWeekTotal {
    pub week: String,
    pub seconds: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeReport {
    /// First day (UTC), included.
    pub from: String,
    /// Last day (UTC), included.
    pub to: String,
    /// What the rows are grouped by, in order: `member`, `project`, `week`.
    pub group: Vec<String>,
    pub rows: Vec<TimeReportRow>,
    /// Every week of the range, with its total (zero included).
    pub weeks: Vec<TimeWeekTotal>,
    pub total_seconds: i64,
}
