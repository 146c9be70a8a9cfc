//! Calendars and events (R-CAL-1). A calendar belongs to one member (`owner_id`, the "own"
//! column of `scope::CALENDARS`); an event is reached through its calendar's scope.
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

/// A calendar with its owner's name (lists and the compare view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarOfMember {
    pub calendar: CalendarRow,
    pub owner_first_name: String,
    pub owner_last_name: String,
}

/// One event. An all-day event runs from `starts_at`'s date to `ends_at`'s date, both at
/// 00:00 UTC (decision 0086).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub calendar_id: Uuid,
    pub title: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub all_day: bool,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A page of events: those overlapping `[from, to)`, by start then id. An event lasts at most
/// [`EVENT_SPAN_MAX_DAYS`], so the rows are one index range of `starts_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventQuery {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    /// Only this calendar's events (`events_by_calendar`).
    pub calendar_id: Option<Uuid>,
    /// The `(starts_at, id)` of the last event of the previous page.
    pub after: Option<(OffsetDateTime, Uuid)>,
}

/// The longest an event may last (the service refuses longer ones): a range query reads the
/// events starting this long before its `from`.
pub const EVENT_SPAN_MAX_DAYS: i64 = 92;

/// A page of calendars, by owner, then creation, then id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarQuery {
    /// Only this member's calendars.
    pub owner_id: Option<Uuid>,
    /// The `(owner_id, created_at, id)` of the last calendar of the previous page.
    pub after: Option<(Uuid, OffsetDateTime, Uuid)>,
}

#[async_trait]
pub trait CalendarRepo {
    /// The scope's calendars, with their owners' names.
    async fn calendars(&mut self, scope: &Scope, q: &CalendarQuery, limit: i64) -> Result<Vec<CalendarOfMember>>;
    async fn calendar(&mut self, scope: &Scope, id: Uuid) -> Result<Option<CalendarOfMember>>;
    /// The calendars of active members whose "show calendar" preference is on (R-CAL-1), as far
    /// as the scope reaches, by owner name.
    async fn shown_calendars(&mut self, scope: &Scope, limit: i64) -> Result<Vec<CalendarOfMember>>;
    /// Inserts a calendar when its owner is within the scope; false otherwise.
    async fn insert_calendar(&mut self, scope: &Scope, row: &CalendarRow) -> Result<bool>;
    /// Renames a calendar within the scope; false when there is none.
    async fn rename_calendar(&mut self, scope: &Scope, id: Uuid, name: &str) -> Result<bool>;
    /// Deletes a calendar within the scope that is not a default one (with its events); false
    /// when there is none such.
    async fn delete_calendar(&mut self, scope: &Scope, id: Uuid) -> Result<bool>;

    async fn events(&mut self, scope: &Scope, q: &EventQuery, limit: i64) -> Result<Vec<EventRow>>;
    async fn event(&mut self, scope: &Scope, id: Uuid) -> Result<Option<EventRow>>;
    /// The events linked to a contact in the scope's calendars, latest start first, at most
    /// `limit` (`events_by_contact`).
    async fn events_of_contact(&mut self, scope: &Scope, contact_id: Uuid, limit: i64) -> Result<Vec<EventRow>>;
    /// Inserts an event when its calendar is within the scope; false otherwise.
    async fn insert_event(&mut self, scope: &Scope, row: &EventRow) -> Result<bool>;
    /// Rewrites an event (title, times, links, calendar, `updated_at`) when both its current and
    /// its new calendar are within the scope; false otherwise.
    async fn update_event(&mut self, scope: &Scope, row: &EventRow) -> Result<bool>;
    async fn delete_event(&mut self, scope: &Scope, id: Uuid) -> Result<bool>;

    /// Whether the scope's account has this contact (an event's link).
    async fn account_has_contact(&mut self, scope: &Scope, id: Uuid) -> Result<bool>;
    /// Whether the scope's account has this project (an event's link).
    async fn account_has_project(&mut self, scope: &Scope, id: Uuid) -> Result<bool>;
}
