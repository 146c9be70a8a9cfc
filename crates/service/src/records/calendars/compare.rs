//! The compare view (R-CAL-1, seed 002's "show calendar"): a week of the calendars of every
//! member who has the preference on, side by side, as far as the caller's scope reaches.
use roster_store::EventQuery;
use time::{Date, Duration};
use uuid::Uuid;

use super::read_scope;
use super::view::{CalendarView, EventView};
use crate::signin::Principal;
use crate::{Result, Service};

/// Columns one compare view shows at most; events one column shows at most.
const COLUMNS_MAX: i64 = 50;
const EVENTS_MAX: i64 = 200;

/// One member's calendar and its events of the week.
#[derive(Debug, Clone)]
pub struct CompareColumn {
    pub calendar: CalendarView,
    pub events: Vec<EventView>,
}

/// A week (Monday to Sunday on the caller's wall clock, their time zone) of the shown calendars.
#[derive(Debug, Clone)]
pub struct CompareWeek {
    pub monday: Date,
    pub columns: Vec<CompareColumn>,
}

impl Service {
    /// The week holding `day` (today when `None`).
    pub async fn compare_calendars(&self, p: &Principal, account_id: Uuid, day: Option<Date>) -> Result<CompareWeek> {
        let zone = p.user().time_zone.as_str();
        let day = day.unwrap_or_else(|| roster_core::zone::in_zone(time::OffsetDateTime::now_utc(), zone).0.date());
        let monday = day - Duration::days(i64::from(day.weekday().number_days_from_monday()));
        let from = roster_core::zone::at_local(monday, time::Time::MIDNIGHT, zone);
        let to = roster_core::zone::at_local(monday + Duration::days(7), time::Time::MIDNIGHT, zone);
        let mut tx = self.store.read().await?;
        let (_, scope) = read_scope(tx.as_mut(), p, account_id).await?;
        let mut columns = Vec::new();
        for cal in tx.shown_calendars(&scope, COLUMNS_MAX).await? {
            let q = EventQuery { from, to, calendar_id: Some(cal.calendar.id), after: None };
            let events = tx.events(&scope, &q, EVENTS_MAX).await?.into_iter().map(EventView::from).collect();
            columns.push(CompareColumn { calendar: cal.into(), events });
        }
        Ok(CompareWeek { monday, columns })
    }
}
