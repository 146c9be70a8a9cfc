//! Events: a range of the reachable calendars, one, create, update, delete.
use roster_core::{AuditAction, FieldErrors, Scope};
use roster_store::{EventRow, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::calendar::own_default;
use super::input::{EventInput, EventListParams, apply, calendar_of, encode_cursor};
use super::view::{EventList, EventView};
use super::{not_yours, path_id, read_scope, write_scope};
use crate::accounts::page_limit;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, now};

/// The calendar an event goes to must be the caller's own; a linked contact or project must
/// be the account's (422 naming the field).
async fn check_targets(tx: &mut dyn Tx, scope: &Scope, me: Uuid, row: &EventRow) -> Result<()> {
    let cal = tx.calendar(scope, row.calendar_id).await?;
    match cal {
        None => return Err(ServiceError::invalid("calendar_id", "Use one of your calendars.")),
        Some(c) if c.calendar.owner_id != me => return Err(not_yours()),
        Some(_) => {}
    }
    let mut errs = FieldErrors::new();
    if let Some(c) = row.contact_id
        && !tx.account_has_contact(scope, c).await?
    {
        errs.add("contact_id", "Use the id of a contact of this account.");
    }
    if let Some(pr) = row.project_id
        && !tx.account_has_project(scope, pr).await?
    {
        errs.add("project_id", "Use the id of a project of this account.");
    }
    if errs.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(errs)) }
}

impl Service {
    /// The events overlapping `[from, to)` in the calendars the caller reaches, by start.
    pub async fn events(&self, p: &Principal, account_id: Uuid, params: &EventListParams) -> Result<EventList> {
        let limit = page_limit(params.limit)?;
        let q = params.query()?;
        let mut tx = self.store.read().await?;
        let (_, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        let mut rows = tx.events(&scope, &q, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(encode_cursor)
        } else {
            None
        };
        Ok(EventList { items: rows.into_iter().map(EventView::from).collect(), next_cursor })
    }

    pub async fn event(&self, p: &Principal, account_id: Uuid, event_id: &str) -> Result<EventView> {
        let id = path_id(event_id)?;
        let mut tx = self.store.read().await?;
        let (_, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        Ok(tx.event(&scope, id).await?.ok_or(ServiceError::NotFound)?.into())
    }

    /// The events linked to a contact the caller reaches (R-CON-1), in the calendars the caller
    /// reaches (R-CAL-1): latest start first, at most 200.
    pub async fn contact_events(&self, p: &Principal, account_id: Uuid, contact_id: Uuid) -> Result<Vec<EventView>> {
        let mut tx = self.store.read().await?;
        let (actor, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        let contacts = roster_core::scope(&actor, account_id, roster_core::scope::CONTACTS)?;
        tx.contact(&contacts, contact_id).await?.ok_or(ServiceError::NotFound)?;
        Ok(tx.events_of_contact(&scope, contact_id, 200).await?.into_iter().map(EventView::from).collect())
    }

    /// A new event in one of the caller's calendars (their default one, made on first use, when
    /// `calendar_id` is absent).
    pub async fn create_event(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &EventInput,
        meta: &Meta,
    ) -> Result<EventView> {
        let at = now();
        let mut row = EventRow {
            id: Uuid::now_v7(),
            account_id,
            calendar_id: Uuid::nil(),
            title: String::new(),
            starts_at: OffsetDateTime::UNIX_EPOCH,
            ends_at: OffsetDateTime::UNIX_EPOCH,
            all_day: false,
            contact_id: None,
            project_id: None,
            created_by: Uuid::nil(),
            created_at: at,
            updated_at: at,
        };
        apply(input, &mut row, true)?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        row.created_by = actor.user_id;
        row.calendar_id = match calendar_of(input, &mut FieldErrors::new()) {
            Some(id) => id,
            None => own_default(tx.as_mut(), &scope, actor.user_id, meta, p).await?.id,
        };
        check_targets(tx.as_mut(), &scope, actor.user_id, &row).await?;
        if !tx.insert_event(&scope, &row).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event =
            audit(AuditAction::EventCreated, p.who(), Some(account_id), ("event", row.id.to_string()), meta);
        event.details = Some(json!({ "title": row.title, "calendar_id": row.calendar_id }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn update_event(
        &self,
        p: &Principal,
        account_id: Uuid,
        event_id: &str,
        input: &EventInput,
        meta: &Meta,
    ) -> Result<EventView> {
        let id = path_id(event_id)?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        let mut row = tx.event(&scope, id).await?.ok_or(ServiceError::NotFound)?;
        // The event's current calendar must be the caller's too.
        match tx.calendar(&scope, row.calendar_id).await? {
            Some(c) if c.calendar.owner_id == actor.user_id => {}
            Some(_) => return Err(not_yours()),
            None => return Err(ServiceError::NotFound),
        }
        apply(input, &mut row, false)?;
        if let Some(cal) = calendar_of(input, &mut FieldErrors::new()) {
            row.calendar_id = cal;
        }
        row.updated_at = now().max(row.created_at);
        check_targets(tx.as_mut(), &scope, actor.user_id, &row).await?;
        if !tx.update_event(&scope, &row).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event = audit(AuditAction::EventUpdated, p.who(), Some(account_id), ("event", id.to_string()), meta);
        event.details = Some(json!({ "title": row.title, "calendar_id": row.calendar_id }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn delete_event(&self, p: &Principal, account_id: Uuid, event_id: &str, meta: &Meta) -> Result<()> {
        let id = path_id(event_id)?;
        let mut tx = self.store.begin().await?;
        let (actor, scope) = write_scope(tx.as_mut(), p, account_id).await?;
        let row = tx.event(&scope, id).await?.ok_or(ServiceError::NotFound)?;
        match tx.calendar(&scope, row.calendar_id).await? {
            Some(c) if c.calendar.owner_id == actor.user_id => {}
            Some(_) => return Err(not_yours()),
            None => return Err(ServiceError::NotFound),
        }
        if !tx.delete_event(&scope, id).await? {
            return Err(ServiceError::NotFound);
        }
        let mut event = audit(AuditAction::EventDeleted, p.who(), Some(account_id), ("event", id.to_string()), meta);
        event.details = Some(json!({ "title": row.title }).to_string());
        tx.insert_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
