//! Daily reminders (R-MAIL-5): the members who opted in, the claim of a member's local day, and
//! what the reminder lists. Content reads take the job's internal scope
//! (`scope::internal(account, InternalUse::DailyReminders)`) and name the member.
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{EventRow, Result};

/// An active member with daily reminders on, with what the email needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderMember {
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub time_zone: String,
    pub account_name: String,
}

/// A to-do a reminder lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTodo {
    pub title: String,
    pub due_on: String,
}

#[async_trait]
pub trait ReminderRepo {
    /// Active members with `daily_reminders` on, in every account, by `(account_id, user_id)`
    /// after `after`.
    async fn reminder_members(&mut self, after: Option<(Uuid, Uuid)>, limit: i64) -> Result<Vec<ReminderMember>>;
    /// Claims `(account, user, day)`; true only for the one unit of work that inserted it.
    async fn claim_reminder(&mut self, scope: &Scope, user_id: Uuid, day: &str, at: OffsetDateTime) -> Result<bool>;
    /// Marks the claim as sent (an email was queued with it).
    async fn mark_reminder_sent(&mut self, scope: &Scope, user_id: Uuid, day: &str) -> Result<()>;
    /// To-dos not done, due on `day` or before, in the member's lists or assigned to them.
    async fn due_todos(&mut self, scope: &Scope, user_id: Uuid, day: &str, limit: i64) -> Result<Vec<DueTodo>>;
    /// Events of the member's calendars starting in `[from, to)` (the caller narrows).
    async fn member_events(
        &mut self,
        scope: &Scope,
        user_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<EventRow>>;
    /// Names (and companies) of the contacts assigned to the member to follow up on `day`.
    async fn follow_ups(&mut self, scope: &Scope, user_id: Uuid, day: &str, limit: i64) -> Result<Vec<String>>;
}
