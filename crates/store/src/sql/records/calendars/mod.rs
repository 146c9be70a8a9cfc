//! Calendars and events (R-CAL-1): the SQL. Every query's filter is the calendar's
//! `account_id = $1 AND ($2 OR owner_id = $3)` (`scope_args`); an event is reached through its
//! calendar. Calendars in `calendar.rs`, events in `event.rs`.
use async_trait::async_trait;
use roster_core::Scope;
use uuid::Uuid;

use super::super::driver::SqlTx;
use crate::{CalendarOfMember, CalendarQuery, CalendarRepo, CalendarRow, EventQuery, EventRow, Result};

mod calendar;
mod event;

#[async_trait]
impl CalendarRepo for SqlTx {
    async fn calendars(&mut self, scope: &Scope, q: &CalendarQuery, limit: i64) -> Result<Vec<CalendarOfMember>> {
        calendar::list(self, scope, q, limit).await
    }

    async fn calendar(&mut self, scope: &Scope, id: Uuid) -> Result<Option<CalendarOfMember>> {
        calendar::one(self, scope, id).await
    }

    async fn shown_calendars(&mut self, scope: &Scope, limit: i64) -> Result<Vec<CalendarOfMember>> {
        calendar::shown(self, scope, limit).await
    }

    async fn insert_calendar(&mut self, scope: &Scope, row: &CalendarRow) -> Result<bool> {
        calendar::insert(self, scope, row).await
    }

    async fn rename_calendar(&mut self, scope: &Scope, id: Uuid, name: &str) -> Result<bool> {
        calendar::rename(self, scope, id, name).await
    }

    async fn delete_calendar(&mut self, scope: &Scope, id: Uuid) -> Result<bool> {
        calendar::delete(self, scope, id).await
    }

    async fn events(&mut self, scope: &Scope, q: &EventQuery, limit: i64) -> Result<Vec<EventRow>> {
        event::list(self, scope, q, limit).await
    }

    async fn event(&mut self, scope: &Scope, id: Uuid) -> Result<Option<EventRow>> {
        event::one(self, scope, id).await
    }

    async fn events_of_contact(&mut self, scope: &Scope, contact_id: Uuid, limit: i64) -> Result<Vec<EventRow>> {
        event::of_contact(self, scope, contact_id, limit).await
    }

    async fn insert_event(&mut self, scope: &Scope, row: &EventRow) -> Result<bool> {
        event::insert(self, scope, row).await
    }

    async fn update_event(&mut self, scope: &Scope, row: &EventRow) -> Result<bool> {
        event::update(self, scope, row).await
    }

    async fn delete_event(&mut self, scope: &Scope, id: Uuid) -> Result<bool> {
        event::delete(self, scope, id).await
    }

    async fn account_has_contact(&mut self, scope: &Scope, id: Uuid) -> Result<bool> {
        let found = self
            .opt(
                "SELECT 1 AS one FROM contacts WHERE id = $2 AND account_id = $1",
                args![scope.account_id(), id],
                |_| Ok(()),
            )
            .await?;
        Ok(found.is_some())
    }

    async fn account_has_project(&mut self, scope: &Scope, id: Uuid) -> Result<bool> {
        let found = self
            .opt(
                "SELECT 1 AS one FROM projects WHERE id = $2 AND account_id = $1",
                args![scope.account_id(), id],
                |_| Ok(()),
            )
            .await?;
        Ok(found.is_some())
    }
}
