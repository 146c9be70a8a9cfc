//! Time entries (R-TIME-1): the list with filters, one entry, manual entries of one's own
//! (`time.track`; end after start, at most 24 hours), edits and deletions by the author or an
//! admin. A running timer is an entry too: its end comes from stopping it.
use roster_core::{Action, AuditAction, FieldErrors, TimeSource, TimeUse, authorize};
use roster_store::{TimeEntryRow, TimeFilter};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{TimeEntryPage, TimeEntryView};
use super::{MANUAL_MAX, check_instant, check_links, check_note, not_found, scope_for, seconds_between, week_of};
use crate::accounts::page_limit;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// A manual entry: a start and either an end or a number of minutes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTimeEntry {
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub note: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, after `started_at`; or give `minutes`.
    pub ended_at: Option<String>,
    /// 1..=1440; or give `ended_at`.
    pub minutes: Option<i64>,
}

/// What `PATCH /time-entries/{id}` changes; absent fields stay; `clear` names the links to
/// remove (`project_id`, `contact_id`). A running timer's end comes from stopping it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryPatch {
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub note: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub minutes: Option<i64>,
    #[serde(default)]
    pub clear: Vec<String>,
}

/// Filters of the list and the report: a member, a project, and days (UTC, `YYYY-MM-DD`, both
/// included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct TimeEntryParams {
    pub member: Option<Uuid>,
    pub project: Option<Uuid>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A day `YYYY-MM-DD` (2000..2100), or a note on `field`.
pub(crate) fn check_day(field: &str, raw: &str, errs: &mut FieldErrors) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(raw.trim(), &fmt) {
        Ok(d) if (2000..2100).contains(&d.year()) => Some(d),
        _ => {
            errs.add(field, "Use a day as YYYY-MM-DD between 2000 and 2100.");
            None
        }
    }
}

/// The filter of `member`, `project`, `from`, `to` (days as instants: `to` is the next midnight).
pub(crate) fn filter_of(
    member: Option<Uuid>,
    project: Option<Uuid>,
    from: Option<&str>,
    to: Option<&str>,
    errs: &mut FieldErrors,
) -> TimeFilter {
    let day = |field: &str, raw: Option<&str>, errs: &mut FieldErrors| {
        raw.filter(|s| !s.trim().is_empty()).and_then(|r| check_day(field, r, errs))
    };
    let from = day("from", from, errs).map(|d| d.midnight().assume_utc());
    let to = day("to", to, errs).map(|d| d.midnight().assume_utc() + Duration::days(1));
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        errs.add("to", "Use a day on or after the first day.");
    }
    TimeFilter { member, project, from, to }
}

fn decode_cursor(c: &str) -> Result<(OffsetDateTime, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    let (t, id) = c.split_once('.').ok_or_else(bad)?;
    let micros: i128 = t.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok((at, Uuid::parse_str(id).map_err(|_| bad())?))
}

fn encode_cursor(e: &TimeEntryRow) -> String {
    format!("{}.{}", e.started_at.unix_timestamp_nanos() / 1000, e.id)
}

/// The end of a manual entry from `ended_at` or `minutes` (exactly one), after `start` and at
/// most 24 hours later.
fn check_end(
    start: OffsetDateTime,
    ended_at: Option<&str>,
    minutes: Option<i64>,
    errs: &mut FieldErrors,
) -> Option<OffsetDateTime> {
    let end = match (ended_at.filter(|s| !s.trim().is_empty()), minutes) {
        (Some(_), Some(_)) => {
            errs.add("minutes", "Give either an end or minutes, not both.");
            return None;
        }
        (Some(e), None) => check_instant("ended_at", e, errs)?,
        (None, Some(m)) if (1..=1440).contains(&m) => start + Duration::minutes(m),
        (None, Some(_)) => {
            errs.add("minutes", "Use 1 to 1440 minutes.");
            return None;
        }
        (None, None) => {
            errs.add("ended_at", "Give an end, or minutes.");
            return None;
        }
    };
    if end <= start {
        errs.add("ended_at", "End after the start.");
        None
    } else if end - start > MANUAL_MAX {
        errs.add("ended_at", "An entry lasts at most 24 hours.");
        None
    } else {
        Some(end)
    }
}

impl Service {
    /// The entries the caller sees, newest first, filtered.
    pub async fn list_time_entries(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &TimeEntryParams,
    ) -> Result<TimeEntryPage> {
        let limit = page_limit(params.limit)?;
        let after = params.cursor.as_deref().filter(|s| !s.is_empty()).map(decode_cursor).transpose()?;
        let mut errs = FieldErrors::new();
        let filter = filter_of(params.member, params.project, params.from.as_deref(), params.to.as_deref(), &mut errs);
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let mut tx = self.store.read().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::View)?;
        let mut rows = tx.time_entries(&scope, &filter, after, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(encode_cursor)
        } else {
            None
        };
        Ok(TimeEntryPage { items: rows.into_iter().map(TimeEntryView::from).collect(), next_cursor })
    }

    pub async fn time_entry(&self, p: &Principal, account_id: Uuid, entry_id: Uuid) -> Result<TimeEntryView> {
        let mut tx = self.store.read().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::View)?;
        Ok(tx.time_entry(&scope, entry_id).await?.ok_or_else(not_found)?.into())
    }

    /// Whether the caller may change the entry (author or admin): for the console's buttons.
    pub async fn may_edit_time_entry(&self, p: &Principal, account_id: Uuid, entry_id: Uuid) -> Result<bool> {
        let mut tx = self.store.read().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        Ok(tx.time_entry(&scope, entry_id).await?.is_some())
    }

    /// A manual entry of the caller's own time (`time.track`).
    pub async fn create_time_entry(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewTimeEntry,
        meta: &Meta,
    ) -> Result<TimeEntryView> {
        let mut tx = self.store.begin().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::TrackTime(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        let mut errs = FieldErrors::new();
        let note = check_note(input.note.as_deref(), &mut errs);
        let start = check_instant("started_at", &input.started_at, &mut errs);
        let end = start.and_then(|s| check_end(s, input.ended_at.as_deref(), input.minutes, &mut errs));
        check_links(tx.as_mut(), &actor, account_id, input.project_id, input.contact_id, &mut errs).await?;
        let (Some(note), Some(start), Some(end), true) = (note, start, end, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let at = now();
        let row = TimeEntryRow {
            id: Uuid::now_v7(),
            account_id,
            user_id: actor.user_id,
            project_id: input.project_id,
            contact_id: input.contact_id,
            note,
            source: TimeSource::Manual,
            started_at: start,
            ended_at: Some(end),
            seconds: Some(seconds_between(start, end)),
            week: week_of(start),
            created_by: actor.user_id,
            created_at: at,
            updated_at: at,
        };
        tx.insert_time_entry(&scope, &row).await?;
        tx.insert_audit(&audit(
            AuditAction::TimeEntryCreated,
            p.who(),
            Some(account_id),
            ("time_entry", row.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Changes an entry the caller may edit (its author, or an admin).
    pub async fn update_time_entry(
        &self,
        p: &Principal,
        account_id: Uuid,
        entry_id: Uuid,
        patch: &TimeEntryPatch,
        meta: &Meta,
    ) -> Result<TimeEntryView> {
        let mut tx = self.store.begin().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        let mut row = tx.time_entry(&scope, entry_id).await?.ok_or_else(not_found)?;
        let mut errs = FieldErrors::new();
        if patch.note.is_some()
            && let Some(n) = check_note(patch.note.as_deref(), &mut errs)
        {
            row.note = n;
        }
        for c in &patch.clear {
            match c.as_str() {
                "project_id" => row.project_id = None,
                "contact_id" => row.contact_id = None,
                _ => errs.add("clear", "Name project_id or contact_id."),
            }
        }
        check_links(tx.as_mut(), &actor, account_id, patch.project_id, patch.contact_id, &mut errs).await?;
        row.project_id = patch.project_id.or(row.project_id);
        row.contact_id = patch.contact_id.or(row.contact_id);
        if let Some(s) = &patch.started_at
            && let Some(s) = check_instant("started_at", s, &mut errs)
        {
            row.started_at = s;
        }
        let times_changed = patch.started_at.is_some() || patch.ended_at.is_some() || patch.minutes.is_some();
        if row.ended_at.is_none() {
            if patch.ended_at.is_some() || patch.minutes.is_some() {
                errs.add("ended_at", "This timer is running: stop it to end it.");
            } else if row.started_at > now() {
                errs.add("started_at", "A running timer starts in the past.");
            }
        } else if times_changed && errs.is_empty() {
            let kept_end =
                row.ended_at.map(|e| e.format(&time::format_description::well_known::Rfc3339).unwrap_or_default());
            let ended = if patch.ended_at.is_none() && patch.minutes.is_some() {
                None
            } else {
                patch.ended_at.clone().or(kept_end)
            };
            if let Some(end) = check_end(row.started_at, ended.as_deref(), patch.minutes, &mut errs) {
                row.ended_at = Some(end);
                row.seconds = Some(seconds_between(row.started_at, end));
            }
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        row.week = week_of(row.started_at);
        row.updated_at = now();
        if tx.update_time_entry(&scope, &row).await? == 0 {
            return Err(not_found());
        }
        tx.insert_audit(&audit(
            AuditAction::TimeEntryUpdated,
            p.who(),
            Some(account_id),
            ("time_entry", entry_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Deletes an entry the caller may edit (a running timer too: it then runs no more).
    pub async fn delete_time_entry(&self, p: &Principal, account_id: Uuid, entry_id: Uuid, meta: &Meta) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::UseOwnWork(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        if tx.delete_time_entry(&scope, entry_id).await? == 0 {
            return Err(not_found());
        }
        tx.insert_audit(&audit(
            AuditAction::TimeEntryDeleted,
            p.who(),
            Some(account_id),
            ("time_entry", entry_id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
