//! Calendars: list, one, create, rename, delete (a default calendar stays: `default_record`).
use roster_core::{AuditAction, FieldErrors, ProblemCode, Scope};
use roster_store::{CalendarQuery, CalendarRow, Tx};
use serde_json::json;
use uuid::Uuid;

use super::input::parse_title;
use super::view::{CalendarList, CalendarPatch, CalendarView, NewCalendar};
use super::{not_yours, path_id, read_scope, write_scope};
use crate::accounts::page_limit;
use crate::signin::token::hex;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// The name a default calendar made on first use gets (decision 0086).
pub const DEFAULT_NAME: &str = "My calendar";

fn encode_cursor(c: &CalendarRow) -> String {
    hex(format!("{}\u{1f}{}\u{1f}{}", c.owner_id, c.created_at.unix_timestamp_nanos() / 1000, c.id).as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<(Uuid, time::OffsetDateTime, Uuid)> {
    let bad = || ServiceError::invalid("cursor", "This cursor is not one this server gave out.");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split('\u{1f}').collect();
    let [owner, micros, id] = parts.as_slice() else { return Err(bad()) };
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok((Uuid::parse_str(owner).map_err(|_| bad())?, at, Uuid::parse_str(id).map_err(|_| bad())?))
}

/// The caller's default calendar, made now when they have none yet (R-JOIN-1 makes it at
/// joining; members from before that, or whose default went, get it on first use).
pub(crate) async fn own_default(
    tx: &mut dyn Tx,
    scope: &Scope,
    me: Uuid,
    meta: &Meta,
    p: &Principal,
) -> Result<CalendarRow> {
    let q = CalendarQuery { owner_id: Some(me), after: None };
    let mine = tx.calendars(scope, &q, 50).await?;
    if let Some(c) = mine.iter().find(|c| c.calendar.is_default).or(mine.first()) {
        return Ok(c.calendar.clone());
    }
    let row = CalendarRow {
        id: Uuid::now_v7(),
        account_id: scope.account_id(),
        owner_id: me,
        name: DEFAULT_NAME.to_owned(),
        is_default: true,
        created_at: now(),
    };
    if !tx.insert_calendar(scope, &row).await? {
        return Err(ServiceError::NotFound);
    }
    let mut event =
        audit(AuditAction::CalendarCreated, p.who(), Some(scope.account_id()), ("calendar", row.id.to_string()), meta);
    event.details = Some(json!({ "name": row.name, "default": true, "on_first_use": true }).to_string());
    tx.insert_audit(&event).await?;
    Ok(row)
}

impl Service {
    /// The calendars the caller reaches (R-CAL-1): every member's with `calendars.view_all`,
    /// their own otherwise; `owner_id` narrows to one member.
    pub async fn calendars(
        &self,
        p: &Principal,
        account_id: Uuid,
        owner_id: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<CalendarList> {
        let limit = page_limit(limit)?;
        let after = cursor.map(str::trim).filter(|c| !c.is_empty()).map(decode_cursor).transpose()?;
        let mut tx = self.store.read().await?;
        let (_, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        let mut rows = tx.calendars(&scope, &CalendarQuery { owner_id, after }, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|c| encode_cursor(&c.calendar))
        } else {
            None
        };
        Ok(CalendarList { items: rows.into_iter().map(CalendarView::from).collect(), next_cursor })
    }

    pub async fn calendar(&self, p: &Principal, account_id: Uuid, calendar_id: &str) -> Result<CalendarView> {
        let id = path_id(calendar_id)?;
        let mut tx = self.store.read().await?;
        let (_, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        Ok(tx.calendar(&scope, id).await?.ok_or(ServiceError::NotFound)?.into())
    }

    /// A new calendar of the caller's own (their first one becomes their default).
    pub async fn create_calendar(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewCalendar,
        meta: &Meta,
    ) -> Result<CalendarView> {
        let mut errs = FieldErrors::new();
        let name = parse_title(&input.name, "name", &mut errs).ok_or(ServiceError::Invalid(errs))?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        let q = CalendarQuery { owner_id: Some(actor.user_id), after: None };
        let first = tx.calendars(&scope, &q, 1).await?.is_empty();
        let row = CalendarRow {
            id: Uuid::now_v7(),
            account_id,
            owner_id: actor.user_id,
            name,
            is_default: first,
            created_at: now(),
        };
        if !tx.insert_calendar(&scope, &row).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event =
            audit(AuditAction::CalendarCreated, p.who(), Some(account_id), ("calendar", row.id.to_string()), meta);
        event.details = Some(json!({ "name": row.name, "default": row.is_default }).to_string());
        tx.insert_audit(&event).await?;
        let view = tx.calendar(&scope, row.id).await?.ok_or(ServiceError::NotFound)?.into();
        tx.commit().await?;
        Ok(view)
    }

    pub async fn rename_calendar(
        &self,
        p: &Principal,
        account_id: Uuid,
        calendar_id: &str,
        patch: &CalendarPatch,
        meta: &Meta,
    ) -> Result<CalendarView> {
        let id = path_id(calendar_id)?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        let found = tx.calendar(&scope, id).await?.ok_or(ServiceError::NotFound)?;
        if found.calendar.owner_id != actor.user_id {
            return Err(not_yours());
        }
        let Some(name) = &patch.name else { return Ok(found.into()) };
        let mut errs = FieldErrors::new();
        let name = parse_title(name, "name", &mut errs).ok_or(ServiceError::Invalid(errs))?;
        if !tx.rename_calendar(&scope, id, &name).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event =
            audit(AuditAction::CalendarRenamed, p.who(), Some(account_id), ("calendar", id.to_string()), meta);
        event.details = Some(json!({ "from": found.calendar.name, "to": name }).to_string());
        tx.insert_audit(&event).await?;
        let view = tx.calendar(&scope, id).await?.ok_or(ServiceError::NotFound)?.into();
        tx.commit().await?;
        Ok(view)
    }

    /// Deletes one of the caller's calendars with its events; a default one stays (409
    /// `default_record`).
    pub async fn delete_calendar(&self, p: &Principal, account_id: Uuid, calendar_id: &str, meta: &Meta) -> Result<()> {
        let id = path_id(calendar_id)?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        let found = tx.calendar(&scope, id).await?.ok_or(ServiceError::NotFound)?;
        if found.calendar.owner_id != actor.user_id {
            return Err(not_yours());
        }
        if found.calendar.is_default {
            return Err(ServiceError::Conflict {
                code: ProblemCode::DefaultRecord,
                message: "A member's default calendar cannot be deleted; rename it instead.".to_owned(),
            });
        }
        if !tx.delete_calendar(&scope, id).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event =
            audit(AuditAction::CalendarDeleted, p.who(), Some(account_id), ("calendar", id.to_string()), meta);
        event.details = Some(json!({ "name": found.calendar.name }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
