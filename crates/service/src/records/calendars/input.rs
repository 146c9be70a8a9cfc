//! Event input: parsing and validation (years 1900..2200, `ends_at >= starts_at`, at most
//! `EVENT_SPAN_MAX_DAYS` long, all-day events as dates), and the list's query parameters.
use roster_core::FieldErrors;
use roster_store::{EVENT_SPAN_MAX_DAYS, EventQuery, EventRow};
use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::Uuid;

use super::NAME_MAX;
use crate::signin::token::hex;
use crate::{Result, ServiceError};

/// `Some(None)` for an explicit `null`, `None` when absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `POST /events` (title, starts_at and ends_at required) and `PATCH /events/{event_id}`
/// (absent fields stay; `null` clears a link). A timed event's times are RFC 3339 instants;
/// an all-day event's are dates (`YYYY-MM-DD`, the end included).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// One of the caller's own calendars; default: their default calendar (made on first use).
    pub calendar_id: Option<String>,
    pub title: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub project_id: Option<Option<String>>,
}

/// `GET /events`: the events overlapping `[from, to)` (dates or RFC 3339 instants; default the
/// 31 days from today, UTC), optionally of one calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EventListParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub calendar_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

const YEARS: std::ops::Range<i32> = 1900..2201;

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// An instant (RFC 3339) or, when `dates`, a date at 00:00 UTC; `None` when unreadable or out
/// of the years served.
pub(crate) fn parse_instant(s: &str, dates: bool) -> Option<OffsetDateTime> {
    let t = if dates {
        parse_date(s.trim())?.midnight().assume_utc()
    } else {
        OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?.to_offset(UtcOffset::UTC)
    };
    let t = t.replace_nanosecond(t.nanosecond() / 1000 * 1000).ok()?;
    YEARS.contains(&t.year()).then_some(t)
}

/// An instant or a date (list bounds accept both).
fn parse_bound(s: &str) -> Option<OffsetDateTime> {
    parse_instant(s, false).or_else(|| parse_instant(s, true))
}

pub(crate) fn parse_title(raw: &str, field: &str, errs: &mut FieldErrors) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        errs.add(field, "Give it a name.");
    } else if t.chars().count() > NAME_MAX {
        errs.add(field, format!("Use at most {NAME_MAX} characters."));
    } else if !roster_core::is_plain_text(t) {
        errs.add(field, roster_core::NOT_PLAIN_TEXT);
    } else {
        return Some(t.to_owned());
    }
    None
}

fn parse_link(raw: &Option<String>, field: &str, errs: &mut FieldErrors) -> Option<Uuid> {
    let s = blank(raw)?;
    match Uuid::parse_str(s) {
        Ok(id) => Some(id),
        Err(_) => {
            errs.add(field, "Use the id of a record of this account.");
            None
        }
    }
}

/// The calendar id asked for, if any (`Err` when not a UUID).
pub(crate) fn calendar_of(input: &EventInput, errs: &mut FieldErrors) -> Option<Uuid> {
    parse_link(&input.calendar_id, "calendar_id", errs)
}

/// Applies `input` to `row` (a new event's blank row or the stored one): every field checked,
/// all errors at once.
pub(crate) fn apply(input: &EventInput, row: &mut EventRow, new: bool) -> Result<()> {
    let mut errs = FieldErrors::new();
    match (&input.title, new) {
        (Some(t), _) => {
            if let Some(t) = parse_title(t, "title", &mut errs) {
                row.title = t;
            }
        }
        (None, true) => errs.add("title", "Give the event a title."),
        (None, false) => {}
    }
    let all_day = input.all_day.unwrap_or(row.all_day);
    let format = if all_day {
        "Use a date, YYYY-MM-DD, between 1900 and 2200."
    } else {
        "Use an RFC 3339 time (2026-05-01T09:30:00Z) between 1900 and 2200."
    };
    let mut time_of = |field: &str, given: &Option<String>, stored: OffsetDateTime| -> Option<OffsetDateTime> {
        match given {
            Some(s) => parse_instant(s, all_day).or_else(|| {
                errs.add(field, format);
                None
            }),
            None if new => {
                errs.add(field, format);
                None
            }
            // Switching to or from all-day keeps the stored times, cut to their dates.
            None if all_day => Some(stored.date().midnight().assume_utc()),
            None => Some(stored),
        }
    };
    let starts = time_of("starts_at", &input.starts_at, row.starts_at);
    let ends = time_of("ends_at", &input.ends_at, row.ends_at);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errs.add("ends_at", "The event cannot end before it starts.");
        } else if e - s > Duration::days(EVENT_SPAN_MAX_DAYS) {
            errs.add("ends_at", format!("An event lasts at most {EVENT_SPAN_MAX_DAYS} days."));
        } else {
            row.starts_at = s;
            row.ends_at = e;
        }
    }
    row.all_day = all_day;
    if let Some(c) = &input.contact_id {
        row.contact_id = parse_link(c, "contact_id", &mut errs);
    }
    if let Some(p) = &input.project_id {
        row.project_id = parse_link(p, "project_id", &mut errs);
    }
    calendar_of(input, &mut errs);
    if errs.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(errs)) }
}

impl EventListParams {
    pub(crate) fn query(&self) -> Result<EventQuery> {
        let mut errs = FieldErrors::new();
        let today = OffsetDateTime::now_utc().date().midnight().assume_utc();
        let from = match blank(&self.from) {
            None => Some(today),
            Some(s) => parse_bound(s).or_else(|| {
                errs.add("from", "Use a date (YYYY-MM-DD) or an RFC 3339 time between 1900 and 2200.");
                None
            }),
        };
        let to = match blank(&self.to) {
            None => from.map(|f| f + Duration::days(31)),
            Some(s) => parse_bound(s).or_else(|| {
                errs.add("to", "Use a date (YYYY-MM-DD) or an RFC 3339 time between 1900 and 2200.");
                None
            }),
        };
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errs.add("to", "The range cannot end before it starts.");
        }
        let calendar_id = blank(&self.calendar_id).map(Uuid::parse_str).transpose().unwrap_or_else(|_| {
            errs.add("calendar_id", "Use a calendar's id.");
            None
        });
        let after = blank(&self.cursor).map(decode_cursor).transpose()?;
        match (from, to) {
            (Some(from), Some(to)) if errs.is_empty() => Ok(EventQuery { from, to, calendar_id, after }),
            _ => Err(ServiceError::Invalid(errs)),
        }
    }
}

pub(crate) fn encode_cursor(e: &EventRow) -> String {
    hex(format!("{}\u{1f}{}", e.starts_at.unix_timestamp_nanos() / 1000, e.id).as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<(OffsetDateTime, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let (micros, id) = text.split_once('\u{1f}').ok_or_else(bad)?;
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok((at, Uuid::parse_str(id).map_err(|_| bad())?))
}
