//! What the API and the console show of calendars and events, and the calendar inputs.
use roster_store::{CalendarOfMember, EventRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
use uuid::Uuid;

/// One calendar.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct CalendarView {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    /// The owner's first and last name.
    pub owner_name: String,
    /// The member's default calendar (R-JOIN-1): renameable, never deleted.
    pub is_default: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<CalendarOfMember> for CalendarView {
    fn from(c: CalendarOfMember) -> Self {
        let owner_name = format!("{} {}", c.owner_first_name, c.owner_last_name).trim().to_owned();
        Self {
            id: c.calendar.id,
            name: c.calendar.name,
            owner_id: c.calendar.owner_id,
            owner_name,
            is_default: c.calendar.is_default,
            created_at: c.calendar.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarList {
    pub items: Vec<CalendarView>,
    pub next_cursor: Option<String>,
}

/// `POST /calendars`: a calendar of the caller's own.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    pub name: String,
}

/// `PATCH /calendars/{calendar_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarPatch {
    pub name: Option<String>,
}

/// One event. A timed event's `starts_at`/`ends_at` are RFC 3339 instants (UTC); an all-day
/// event's are dates, `YYYY-MM-DD`, the end date included.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct EventView {
    pub id: Uuid,
    pub calendar_id: Uuid,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub all_day: bool,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// The instants themselves (console layout).
    #[serde(skip)]
    pub starts: OffsetDateTime,
    #[serde(skip)]
    pub ends: OffsetDateTime,
}

pub(crate) fn show(t: OffsetDateTime, all_day: bool) -> String {
    if all_day { t.date().to_string() } else { t.format(&Rfc3339).unwrap_or_default() }
}

impl From<EventRow> for EventView {
    fn from(e: EventRow) -> Self {
        Self {
            id: e.id,
            calendar_id: e.calendar_id,
            title: e.title,
            starts_at: show(e.starts_at, e.all_day),
            ends_at: show(e.ends_at, e.all_day),
            all_day: e.all_day,
            contact_id: e.contact_id,
            project_id: e.project_id,
            created_by: e.created_by,
            created_at: e.created_at,
            updated_at: e.updated_at,
            starts: e.starts_at,
            ends: e.ends_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    pub next_cursor: Option<String>,
}
