//! Daily reminders (R-MAIL-5): the SQL. The claim is `INSERT … ON CONFLICT DO NOTHING` on the
//! primary key `(account_id, user_id, day)`: of two runners, the second waits for the first's
//! commit (PostgreSQL) or for the write lock (SQLite) and inserts nothing.
use async_trait::async_trait;
use roster_core::Scope;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, time, uuid};
use crate::{DueTodo, EVENT_SPAN_MAX_DAYS, EventRow, ReminderMember, ReminderRepo, Result};

fn member_from_row(r: &DbRow<'_>) -> Result<ReminderMember> {
    Ok(ReminderMember {
        account_id: uuid(r, "account_id")?,
        user_id: uuid(r, "user_id")?,
        email: get(r, "email")?,
        first_name: get(r, "first_name")?,
        last_name: get(r, "last_name")?,
        time_zone: get(r, "time_zone")?,
        account_name: get(r, "account_name")?,
    })
}

fn event_from_row(r: &DbRow<'_>) -> Result<EventRow> {
    Ok(EventRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        calendar_id: uuid(r, "calendar_id")?,
        title: get(r, "title")?,
        starts_at: time(r, "starts_at")?,
        ends_at: time(r, "ends_at")?,
        all_day: get(r, "all_day")?,
        contact_id: get(r, "contact_id")?,
        project_id: get(r, "project_id")?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[async_trait]
impl ReminderRepo for SqlTx {
    async fn reminder_members(&mut self, after: Option<(Uuid, Uuid)>, limit: i64) -> Result<Vec<ReminderMember>> {
        let (a, u) = after.unwrap_or((Uuid::nil(), Uuid::nil()));
        self.all(
            "SELECT m.account_id, m.user_id, u.email, u.first_name, u.last_name, u.time_zone, a.name AS account_name \
             FROM memberships m JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id \
             WHERE m.daily_reminders AND m.status = 'active' AND (m.account_id, m.user_id) > ($1, $2) \
             ORDER BY m.account_id, m.user_id LIMIT $3",
            args![a, u, limit],
            member_from_row,
        )
        .await
    }

    async fn claim_reminder(&mut self, scope: &Scope, user_id: Uuid, day: &str, at: OffsetDateTime) -> Result<bool> {
        let n = self
            .exec(
                "INSERT INTO reminder_claims (account_id, user_id, day, sent, claimed_at) VALUES ($1, $2, $3, FALSE, $4) \
                 ON CONFLICT (account_id, user_id, day) DO NOTHING",
                args![scope.account_id(), user_id, day, to_db(at)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn mark_reminder_sent(&mut self, scope: &Scope, user_id: Uuid, day: &str) -> Result<()> {
        self.exec(
            "UPDATE reminder_claims SET sent = TRUE WHERE account_id = $1 AND user_id = $2 AND day = $3",
            args![scope.account_id(), user_id, day],
        )
        .await?;
        Ok(())
    }

    async fn due_todos(&mut self, scope: &Scope, user_id: Uuid, day: &str, limit: i64) -> Result<Vec<DueTodo>> {
        self.all(
            "SELECT t.title, t.due_on FROM todos t JOIN todo_lists l ON l.account_id = t.account_id AND l.id = t.list_id \
             WHERE t.account_id = $1 AND NOT t.done AND t.due_on IS NOT NULL AND t.due_on <= $3 \
             AND (l.owner_id = $2 OR t.assignee_id = $2) ORDER BY t.due_on, t.title LIMIT $4",
            args![scope.account_id(), user_id, day, limit],
            |r| Ok(DueTodo { title: get(r, "title")?, due_on: get(r, "due_on")? }),
        )
        .await
    }

    async fn member_events(
        &mut self,
        scope: &Scope,
        user_id: Uuid,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<EventRow>> {
        let lower = from - Duration::days(EVENT_SPAN_MAX_DAYS);
        self.all(
            "SELECT e.id, e.account_id, e.calendar_id, e.title, e.starts_at, e.ends_at, e.all_day, e.contact_id, \
             e.project_id, e.created_by, e.created_at, e.updated_at FROM events e \
             JOIN calendars c ON c.account_id = e.account_id AND c.id = e.calendar_id \
             WHERE c.account_id = $1 AND c.owner_id = $2 AND e.starts_at >= $3 AND e.starts_at < $4 AND e.ends_at >= $5 \
             ORDER BY e.starts_at, e.id LIMIT $6",
            args![scope.account_id(), user_id, to_db(lower), to_db(to), to_db(from), limit],
            event_from_row,
        )
        .await
    }

    async fn follow_ups(&mut self, scope: &Scope, user_id: Uuid, day: &str, limit: i64) -> Result<Vec<String>> {
        self.all(
            "SELECT first_name, last_name, company FROM contacts \
             WHERE account_id = $1 AND assigned_to = $2 AND follow_up_on = $3 ORDER BY sort_name, id LIMIT $4",
            args![scope.account_id(), user_id, day, limit],
            |r| {
                let first: String = get(r, "first_name")?;
                let last: String = get(r, "last_name")?;
                let company: Option<String> = get(r, "company")?;
                let name = format!("{first} {last}").trim().to_owned();
                Ok(match company.filter(|c| !c.is_empty()) {
                    Some(c) => format!("{name} ({c})"),
                    None => name,
                })
            },
        )
        .await
    }
}
