//! Calendars and events (R-CAL-1), decision 0086. Reads run in `scope::CALENDARS` (with
//! `calendars.view_all` every member's calendar, without it one's own); writes authorize
//! `Action::UseOwnWork` and change only the caller's own calendars and their events: viewing
//! every calendar does not make it one's to fill (a calendar reached only through `view_all`
//! answers 403 `forbidden`, rule R-CAL-1).
use roster_core::{Action, Actor, Scope, authorize};
use roster_store::Tx;
use uuid::Uuid;

use crate::signin::Principal;
use crate::{Result, ServiceError, actor};

mod calendar;
mod compare;
mod events;
mod input;
mod view;

pub use compare::{CompareColumn, CompareWeek};
pub use input::{EventInput, EventListParams};
pub use view::{CalendarList, CalendarPatch, CalendarView, EventList, EventView, NewCalendar};

/// Longest calendar name and event title.
pub const NAME_MAX: usize = 200;

/// The caller's actor and scope over calendars in `account_id`.
pub(crate) async fn read_scope(tx: &mut dyn Tx, p: &Principal, account_id: Uuid) -> Result<(Actor, Scope)> {
    let (actor, _) = actor::for_principal(tx, p, Some(account_id)).await?;
    let scope = roster_core::scope(&actor, account_id, roster_core::scope::CALENDARS)?;
    Ok((actor, scope))
}

/// Like [`read_scope`], for a change: `UseOwnWork` is authorized first.
pub(crate) async fn write_scope(tx: &mut dyn Tx, p: &Principal, account_id: Uuid) -> Result<(Actor, Scope)> {
    let (actor, _) = actor::for_principal(tx, p, Some(account_id)).await?;
    authorize(&actor, Action::UseOwnWork(account_id))?;
    let scope = roster_core::scope(&actor, account_id, roster_core::scope::CALENDARS)?;
    Ok((actor, scope))
}

/// The answer to a change of a calendar the caller sees but does not own.
pub(crate) fn not_yours() -> ServiceError {
    ServiceError::Rule {
        rule: "R-CAL-1",
        code: roster_core::ProblemCode::Forbidden,
        message: "This is another member's calendar: you may view it, not change it.".to_owned(),
    }
}

/// A path id: anything but a UUID is not found.
pub(crate) fn path_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ServiceError::NotFound)
}
