//! Time tracking (R-TIME-1, decision 0097): one running timer per member (the database's
//! `time_entries_one_running`), manual entries, edits, and the report by member × project ×
//! ISO week (UTC). Every query takes the scope of `roster_core::time_scope`: the author, the
//! `projects.view_all` holders for entries on projects, and admins; edits the author or admins.
pub mod entries;
pub mod report;
pub mod timer;
pub mod view;

use roster_core::{Actor, FieldErrors, Scope, TimeUse, scope, time_scope};
use roster_store::{MembershipRow, Tx};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{Result, ServiceError};

/// The longest note (characters).
pub const NOTE_MAX: usize = 2000;
/// The longest manual entry (R-TIME-1: 24 hours).
pub const MANUAL_MAX: Duration = Duration::hours(24);

/// The caller's time scope for `why`, from their membership row (its role says "admin").
pub(crate) fn scope_for(
    actor: &Actor,
    membership: Option<&MembershipRow>,
    account_id: Uuid,
    why: TimeUse,
) -> Result<Scope> {
    let role = membership.map(|m| m.role).unwrap_or(roster_core::RoleKind::Custom);
    Ok(time_scope(actor, account_id, role, why)?)
}

/// The Monday (`YYYY-MM-DD`) of `t`'s ISO week in UTC: the report's week key.
pub fn week_of(t: OffsetDateTime) -> String {
    let d = t.to_offset(time::UtcOffset::UTC).date();
    let monday = d - Duration::days(i64::from(d.weekday().number_days_from_monday()));
    monday.to_string()
}

/// A note: trimmed, at most [`NOTE_MAX`] characters, no control characters but line breaks.
pub(crate) fn check_note(raw: Option<&str>, errs: &mut FieldErrors) -> Option<String> {
    let note = raw.unwrap_or("").trim();
    if note.chars().count() > NOTE_MAX {
        errs.add("note", format!("Use at most {NOTE_MAX} characters."));
        None
    } else if note.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errs.add("note", roster_core::NOT_PLAIN_TEXT);
        None
    } else {
        Some(note.to_owned())
    }
}

/// An RFC 3339 instant in years 2000..2100, or a note on `field`.
pub(crate) fn check_instant(field: &str, raw: &str, errs: &mut FieldErrors) -> Option<OffsetDateTime> {
    match OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339) {
        Ok(t) if (2000..2100).contains(&t.year()) => Some(t.to_offset(time::UtcOffset::UTC)),
        _ => {
            errs.add(field, "Use a time as RFC 3339 (e.g. 2026-03-02T09:30:00Z) between 2000 and 2100.");
            None
        }
    }
}

/// The project and contact of an entry must be ones the caller sees (R-PRJ-1, R-CON-1): else
/// 422 naming the field.
pub(crate) async fn check_links(
    tx: &mut dyn Tx,
    actor: &Actor,
    account_id: Uuid,
    project: Option<Uuid>,
    contact: Option<Uuid>,
    errs: &mut FieldErrors,
) -> Result<()> {
    if let Some(pid) = project {
        let projects = scope(actor, account_id, scope::PROJECTS)?;
        if tx.project(&projects, pid).await?.is_none() {
            errs.add("project_id", "Choose one of your projects.");
        }
    }
    if let Some(cid) = contact {
        let contacts = scope(actor, account_id, scope::CONTACTS)?;
        if tx.contact(&contacts, cid).await?.is_none() {
            errs.add("contact_id", "Choose one of your contacts.");
        }
    }
    Ok(())
}

/// Whole seconds from `start` to `end`.
pub(crate) fn seconds_between(start: OffsetDateTime, end: OffsetDateTime) -> i64 {
    (end - start).whole_seconds()
}

/// A 404 for an entry outside the scope.
pub(crate) fn not_found() -> ServiceError {
    ServiceError::NotFound
}
