//! Daily reminders (R-MAIL-5), decision 0087. [`Service::run_daily_reminders`] is one pass of the
//! job (the job runner runs it as the `reminders.sweep` job once a minute, decision 0096): every
//! active member with `daily_reminders` on whose local time (their `time_zone`) has passed 07:00
//! gets their local day claimed in `reminder_claims` and, in the same unit of work, one
//! `daily_reminder` email queued in the outbox, listing their due or overdue to-dos, the day's
//! events in their calendars and the contacts to follow up. Nothing to say: the claim is kept
//! (`sent = false`) and no email goes. The claim's primary key makes it once per member per day
//! whatever the number of runners. The job acts as `Identity::Internal(Internal::ReminderJob)`
//! and reads through `scope::internal(account, InternalUse::DailyReminders)`.
use roster_core::{InternalUse, scope};
use roster_mail::TemplateName;
use roster_store::{EventRow, ReminderMember};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::actor::Internal;
use crate::{Mail, Result, Sender, Service};

/// The local hour from which a member's reminder goes.
pub const REMINDER_HOUR: u8 = 7;
/// Members read per unit of work; lines per section of one email.
const PAGE: i64 = 500;
const LINES_MAX: i64 = 50;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderRun {
    /// Emails queued.
    pub sent: usize,
    /// Days claimed with nothing to say (no email).
    pub empty: usize,
}

fn hm(t: OffsetDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl Service {
    /// One pass of the reminder job at `now` (injectable for tests; the job runner passes the clock).
    pub async fn run_daily_reminders(&self, now: OffsetDateTime) -> Result<ReminderRun> {
        let why = Internal::ReminderJob;
        let mut run = ReminderRun::default();
        let mut after = None;
        loop {
            let members = self.store.read().await?.reminder_members(after, PAGE).await?;
            let Some(last) = members.last() else { break };
            after = Some((last.account_id, last.user_id));
            for m in &members {
                let res = self.remind(m, now).await;
                match res {
                    Ok(Some(true)) => run.sent += 1,
                    Ok(Some(false)) => run.empty += 1,
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(job = why.as_str(), account = %m.account_id, user = %m.user_id, error = %e, "daily reminder failed")
                    }
                }
            }
            if (members.len() as i64) < PAGE {
                break;
            }
        }
        Ok(run)
    }

    /// `None`: not yet 07:00 there, or the day is claimed already; `Some(sent)` otherwise.
    async fn remind(&self, m: &ReminderMember, now: OffsetDateTime) -> Result<Option<bool>> {
        let (local, _) = roster_core::zone::in_zone(now, &m.time_zone);
        if local.hour() < REMINDER_HOUR {
            return Ok(None);
        }
        let day = local.date();
        let day_text = day.to_string();
        let from = day.midnight().assume_offset(local.offset()).to_offset(time::UtcOffset::UTC);
        let to = from + Duration::days(1);
        let scope = scope::internal(m.account_id, InternalUse::DailyReminders);
        let mut tx = self.store.begin().await?;
        if !tx.claim_reminder(&scope, m.user_id, &day_text, now).await? {
            return Ok(None);
        }
        let todos: Vec<String> = tx
            .due_todos(&scope, m.user_id, &day_text, LINES_MAX)
            .await?
            .into_iter()
            .map(|t| if t.due_on == day_text { t.title } else { format!("{} (due {})", t.title, t.due_on) })
            .collect();
        // All-day events sit at 00:00 UTC of their dates: read from the earlier of the two.
        let day_utc = day.midnight().assume_utc();
        let events: Vec<String> = tx
            .member_events(&scope, m.user_id, from.min(day_utc), to.max(day_utc + Duration::days(1)), LINES_MAX)
            .await?
            .into_iter()
            .filter(|e: &EventRow| {
                if e.all_day {
                    e.starts_at.date() <= day && day <= e.ends_at.date()
                } else {
                    e.starts_at < to && (e.ends_at > from || e.starts_at >= from)
                }
            })
            .map(|e| {
                if e.all_day {
                    format!("All day: {}", e.title)
                } else {
                    let (s, _) = roster_core::zone::in_zone(e.starts_at, &m.time_zone);
                    let (f, _) = roster_core::zone::in_zone(e.ends_at, &m.time_zone);
                    format!("{}–{} {}", hm(s), hm(f), e.title)
                }
            })
            .collect();
        let follow_ups = tx.follow_ups(&scope, m.user_id, &day_text, LINES_MAX).await?;
        if todos.is_empty() && events.is_empty() && follow_ups.is_empty() {
            tx.commit().await?;
            return Ok(Some(false));
        }
        let account = tx.account_by_id(m.account_id).await?.ok_or(crate::ServiceError::NotFound)?;
        let context = json!({
            "user": { "first_name": m.first_name, "last_name": m.last_name, "email": m.email },
            "account": { "name": m.account_name },
            "day": day_text,
            "todos": todos,
            "events": events,
            "follow_ups": follow_ups,
        });
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::DailyReminder,
            to: &m.email,
            context,
            sender: Sender::Account,
            bcc: None,
        };
        self.enqueue_email(tx.as_mut(), mail).await?;
        tx.mark_reminder_sent(&scope, m.user_id, &day_text).await?;
        tx.commit().await?;
        Ok(Some(true))
    }
}
