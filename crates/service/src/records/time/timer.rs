//! The caller's timer (R-TIME-1): at most one running per member, enforced by the database's
//! partial unique index `time_entries_one_running`. Starting while one runs is 409
//! `timer_running` naming it, unless `switch` asks to stop it and start the new one in the same
//! transaction; nothing stops silently.
use roster_core::{Action, AuditAction, FieldErrors, ProblemCode, TimeSource, TimeUse, authorize};
use roster_store::{StoreError, TimeEntryRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{CurrentTimer, TimeEntryView, TimerStarted};
use super::{check_links, check_note, scope_for, week_of};
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartTimer {
    pub project_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub note: Option<String>,
    /// Stop the running timer (if any) and start this one, in one transaction.
    #[serde(default)]
    pub switch: bool,
}

/// The 409 that names the running timer: its id, project and start.
pub(crate) fn running_conflict(run: Option<&TimeEntryRow>) -> ServiceError {
    let message = match run {
        Some(r) => format!(
            "Your timer {} is running since {} ({}); stop it first, or start with \"switch\": true.",
            r.id,
            r.started_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| r.started_at.to_string()),
            r.project_id.map_or_else(|| "no project".to_owned(), |p| format!("project {p}")),
        ),
        None => "Your timer is already running; stop it first, or start with \"switch\": true.".to_owned(),
    };
    ServiceError::Conflict { code: ProblemCode::TimerRunning, message }
}

impl Service {
    /// The caller's running timer in the account, if any (`time.track`).
    pub async fn current_timer(&self, p: &Principal, account_id: Uuid) -> Result<CurrentTimer> {
        let mut tx = self.store.read().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::TrackTime(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        let timer = tx.running_timer(&scope, actor.user_id).await?;
        Ok(CurrentTimer { timer: timer.map(TimeEntryView::from) })
    }

    /// Starts the caller's timer now (`time.track`).
    pub async fn start_timer(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &StartTimer,
        meta: &Meta,
    ) -> Result<TimerStarted> {
        let mut tx = self.store.begin().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::TrackTime(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        let mut errs = FieldErrors::new();
        let note = check_note(input.note.as_deref(), &mut errs);
        check_links(tx.as_mut(), &actor, account_id, input.project_id, input.contact_id, &mut errs).await?;
        let (Some(note), true) = (note, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let at = now();
        let stopped = match tx.running_timer(&scope, actor.user_id).await? {
            Some(run) if !input.switch => return Err(running_conflict(Some(&run))),
            Some(_) => tx.stop_timer(&scope, actor.user_id, at).await?,
            None => None,
        };
        let row = TimeEntryRow {
            id: Uuid::now_v7(),
            account_id,
            user_id: actor.user_id,
            project_id: input.project_id,
            contact_id: input.contact_id,
            note,
            source: TimeSource::Timer,
            started_at: at,
            ended_at: None,
            seconds: None,
            week: week_of(at),
            created_by: actor.user_id,
            created_at: at,
            updated_at: at,
        };
        match tx.insert_time_entry(&scope, &row).await {
            // Another start of the same member won the race (PostgreSQL: the unique index).
            Err(StoreError::Conflict("timer")) => return Err(running_conflict(None)),
            other => other?,
        }
        if let Some(s) = &stopped {
            tx.insert_audit(&audit(
                AuditAction::TimerStopped,
                p.who(),
                Some(account_id),
                ("time_entry", s.id.to_string()),
                meta,
            ))
            .await?;
        }
        let action = if stopped.is_some() { AuditAction::TimerSwitched } else { AuditAction::TimerStarted };
        tx.insert_audit(&audit(action, p.who(), Some(account_id), ("time_entry", row.id.to_string()), meta)).await?;
        tx.commit().await?;
        Ok(TimerStarted { timer: row.into(), stopped: stopped.map(TimeEntryView::from) })
    }

    /// Stops the caller's running timer now (`time.track`); 404 when none runs.
    pub async fn stop_timer(&self, p: &Principal, account_id: Uuid, meta: &Meta) -> Result<TimeEntryView> {
        let mut tx = self.store.begin().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        authorize(&actor, Action::TrackTime(account_id))?;
        let scope = scope_for(&actor, m.as_ref(), account_id, TimeUse::Edit)?;
        let stopped = tx.stop_timer(&scope, actor.user_id, now()).await?.ok_or(ServiceError::NotFound)?;
        tx.insert_audit(&audit(
            AuditAction::TimerStopped,
            p.who(),
            Some(account_id),
            ("time_entry", stopped.id.to_string()),
            meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(stopped.into())
    }
}
