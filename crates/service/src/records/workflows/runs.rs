//! Workflow runs (R-WF-1, decision 0100): starting a template on a contact or project, reading
//! runs, pausing, resuming and cancelling them. A run copies its template's steps when it
//! starts (each step's assignee resolved and its due time fixed then), and its first step's job
//! is enqueued in the same unit of work; each step's job enqueues the next (`step_job.rs`).
use roster_core::{
    AuditAction, FieldErrors, JobKind, ProblemCode, RunRole, RunScope, RunState, RunStepState, StepAfter, scope,
};
use roster_store::{RunQuery, Tx, WorkflowRunRow, WorkflowRunStepRow};
use serde::Deserialize;
use serde_json::json;
use time::{Duration, OffsetDateTime, Time};
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{StepSpec, WorkflowRunPage, WorkflowRunView};
use crate::accounts::page_limit;
use crate::jobs::enqueue;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// Start a template on exactly one of a contact or a project.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkflowRun {
    pub template_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct WorkflowRunParams {
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// `active`, `paused`, `cancelled` or `done`.
    pub state: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// What a member does to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunChange {
    Pause,
    Resume,
    Cancel,
}

/// A step's job: which step, of which run, in which epoch (a stale epoch does nothing).
#[derive(Debug, Clone, Copy, serde::Serialize, Deserialize)]
pub(crate) struct StepJob {
    pub run_id: Uuid,
    pub step_id: Uuid,
    pub epoch: i64,
}

/// Enqueues the job of `step` in `run`'s epoch, due at its time (or `now` if that passed).
pub(crate) async fn enqueue_step(
    tx: &mut dyn Tx,
    run: &WorkflowRunRow,
    step: &WorkflowRunStepRow,
    now: OffsetDateTime,
) -> Result<()> {
    let job = StepJob { run_id: run.id, step_id: step.id, epoch: run.epoch };
    let payload = serde_json::to_value(job).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let key = format!("{}/{}", step.id, run.epoch);
    enqueue(tx, Some(run.account_id), JobKind::WorkflowStep, &payload, &key, step.due_at.max(now), now).await?;
    Ok(())
}

/// When each step is due: `after_days` after the run's start or the previous step's time, at
/// `at_time` on the assignee's wall clock, never before what it counts from (a day-0 step at
/// 09:00 of a run started at 15:00 is due at once).
pub(crate) fn due_times(specs: &[(StepSpec, String)], start: OffsetDateTime) -> Vec<OffsetDateTime> {
    let mut out: Vec<OffsetDateTime> = Vec::with_capacity(specs.len());
    for (spec, zone) in specs {
        let base = match (spec.after, out.last()) {
            (StepAfter::Previous, Some(prev)) => *prev,
            _ => start,
        };
        let (local, _) = roster_core::zone::in_zone(base, zone);
        let date = local.date().checked_add(Duration::days(spec.after_days)).unwrap_or(local.date());
        let at = parse_hhmm(&spec.at_time).unwrap_or(Time::MIDNIGHT);
        out.push(roster_core::zone::at_local(date, at, zone).max(base));
    }
    out
}

fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

impl Service {
    /// Starts `input.template_id` on a contact or project the caller sees (R-WF-1): copies the
    /// steps, resolves each assignee, fixes the due times, enqueues the first step.
    pub async fn start_workflow_run(
        &self,
        p: &Principal,
        account_id: Uuid,
        input: &NewWorkflowRun,
        meta: &Meta,
    ) -> Result<WorkflowRunView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let runs = scope::workflow_runs(&actor, account_id)?;
        let templates = scope::workflow_templates(&actor, account_id)?;
        let mut errs = FieldErrors::new();
        let template = tx.workflow_template(&templates, input.template_id).await?;
        if template.is_none() {
            errs.add("template_id", "Choose a workflow template of this account.");
        }
        let (contact, project) = match (input.contact_id, input.project_id) {
            (Some(c), None) => {
                let row = tx.contact(runs.contacts(), c).await?;
                if row.is_none() {
                    errs.add("contact_id", "Choose a contact you can see.");
                }
                (row, None)
            }
            (None, Some(pid)) => {
                let row = tx.project(runs.projects(), pid).await?;
                if row.is_none() {
                    errs.add("project_id", "Choose a project you can see.");
                }
                (None, row)
            }
            _ => {
                errs.add("contact_id", "Start a run on exactly one of a contact or a project.");
                (None, None)
            }
        };
        let (Some(template), true) = (template, errs.is_empty()) else {
            return Err(ServiceError::Invalid(errs));
        };
        let (run, steps) =
            begin_run(tx.as_mut(), &runs, &template, contact.as_ref(), project.as_ref(), p.user.id, now()).await?;
        let mut a = audit(
            AuditAction::WorkflowRunStarted,
            p.who(),
            Some(account_id),
            ("workflow_run", run.id.to_string()),
            meta,
        );
        a.details = p.who().details(Some(json!({
            "template_id": template.id,
            "template_version": template.version,
            "contact_id": run.contact_id,
            "project_id": run.project_id,
        })));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        Ok(WorkflowRunView::new(run, steps))
    }

    /// The runs the caller sees (those of the contacts and projects they see), newest first.
    pub async fn list_workflow_runs(
        &self,
        p: &Principal,
        account_id: Uuid,
        params: &WorkflowRunParams,
    ) -> Result<WorkflowRunPage> {
        let limit = page_limit(params.limit)?;
        let state = match params.state.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                RunState::parse(s)
                    .map_err(|_| ServiceError::invalid("state", "Choose active, paused, cancelled or done."))?,
            ),
        };
        let after = match params.cursor.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => Some(
                Uuid::parse_str(c)
                    .map_err(|_| ServiceError::invalid("cursor", "This cursor is not one this server gave out."))?,
            ),
        };
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let runs = scope::workflow_runs(&actor, account_id)?;
        let q = RunQuery { contact_id: params.contact_id, project_id: params.project_id, state };
        let mut rows = tx.workflow_runs(&runs, &q, after, limit + 1).await?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > keep {
            rows.truncate(keep);
            rows.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(WorkflowRunPage {
            items: rows.into_iter().map(|r| WorkflowRunView::new(r, Vec::new())).collect(),
            next_cursor,
        })
    }

    /// One run with its steps, if the caller sees its contact or project.
    pub async fn workflow_run(&self, p: &Principal, account_id: Uuid, run_id: Uuid) -> Result<WorkflowRunView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let runs = scope::workflow_runs(&actor, account_id)?;
        let run = tx.workflow_run(&runs, run_id).await?.ok_or(ServiceError::NotFound)?;
        let steps = tx.workflow_run_steps(&runs, run_id).await?;
        Ok(WorkflowRunView::new(run, steps))
    }

    /// Pauses an active run (no step runs until resumed), resumes a paused one (its next
    /// scheduled step runs at its time, or at once if that passed), or cancels an open one (its
    /// scheduled and waiting steps are cancelled). Anyone who sees the run may.
    pub async fn change_workflow_run(
        &self,
        p: &Principal,
        account_id: Uuid,
        run_id: Uuid,
        change: RunChange,
        meta: &Meta,
    ) -> Result<WorkflowRunView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let runs = scope::workflow_runs(&actor, account_id)?;
        let mut run = tx.workflow_run(&runs, run_id).await?.ok_or(ServiceError::NotFound)?;
        let from = run.state;
        let (to, action) = match (change, from) {
            (RunChange::Pause, RunState::Active) => (RunState::Paused, AuditAction::WorkflowRunPaused),
            (RunChange::Resume, RunState::Paused) => (RunState::Active, AuditAction::WorkflowRunResumed),
            (RunChange::Cancel, RunState::Active | RunState::Paused) => {
                (RunState::Cancelled, AuditAction::WorkflowRunCancelled)
            }
            _ => {
                return Err(ServiceError::Conflict {
                    code: ProblemCode::RunState,
                    message: format!(
                        "This run is {}: it cannot be {}.",
                        from,
                        match change {
                            RunChange::Pause => "paused",
                            RunChange::Resume => "resumed",
                            RunChange::Cancel => "cancelled",
                        }
                    ),
                });
            }
        };
        let at = now();
        run.state = to;
        run.epoch += 1;
        run.updated_at = at;
        if tx.set_workflow_run_state(&runs, &run, from).await? == 0 {
            return Err(ServiceError::Conflict {
                code: ProblemCode::RunState,
                message: "The run changed meanwhile; reload it.".to_owned(),
            });
        }
        match to {
            RunState::Cancelled => {
                tx.cancel_open_run_steps(&runs, run.id, at).await?;
            }
            RunState::Active => {
                let steps = tx.workflow_run_steps(&runs, run.id).await?;
                match steps.iter().find(|s| s.state == RunStepState::Scheduled) {
                    Some(next) => {
                        enqueue_step(tx.as_mut(), &run, next, at).await?;
                    }
                    None => {
                        tx.finish_run_if_ended(&runs, run.id, at).await?;
                    }
                }
            }
            RunState::Paused | RunState::Done => {}
        }
        let a = audit(action, p.who(), Some(account_id), ("workflow_run", run.id.to_string()), meta);
        tx.insert_audit(&a).await?;
        let run = tx.workflow_run(&runs, run.id).await?.ok_or(ServiceError::NotFound)?;
        let steps = tx.workflow_run_steps(&runs, run.id).await?;
        tx.commit().await?;
        Ok(WorkflowRunView::new(run, steps))
    }
}

/// Starts `template` on `contact` or `project` as `started_by` at `at`, in `tx`: copies the
/// steps, resolves each run role (the project's client contact stands in for a project run's
/// "contact assignee"), fixes the due times, writes the run and enqueues its first step. The
/// caller has checked the template and the contact or project are in reach.
pub(crate) async fn begin_run(
    tx: &mut dyn Tx,
    runs: &RunScope,
    template: &roster_store::WorkflowTemplateRow,
    contact: Option<&roster_store::ContactRow>,
    project: Option<&roster_store::ProjectRow>,
    started_by: Uuid,
    at: OffsetDateTime,
) -> Result<(WorkflowRunRow, Vec<WorkflowRunStepRow>)> {
    let account_id = runs.account_id();
    let specs: Vec<StepSpec> = serde_json::from_str(&template.steps)
        .map_err(|e| ServiceError::Internal(format!("workflow template {} has unreadable steps: {e}", template.id)))?;
    let contact_assignee = match (contact, project) {
        (Some(c), _) => c.assigned_to,
        (None, Some(pr)) => match pr.contact_id {
            Some(cid) => {
                let all = scope::internal(account_id, scope::InternalUse::WorkflowStep);
                tx.contact(&all, cid).await?.and_then(|c| c.assigned_to)
            }
            None => None,
        },
        (None, None) => None,
    };
    let project_owner = project.map(|pr| pr.owner_id);
    let mut resolved = Vec::with_capacity(specs.len());
    for spec in specs {
        let who = match RunRole::parse(&spec.assignee) {
            Ok(RunRole::ContactAssignee) => contact_assignee,
            Ok(RunRole::ProjectOwner) => project_owner,
            Err(_) => Uuid::parse_str(&spec.assignee).ok(),
        };
        let zone = match who {
            Some(u) => tx.user_by_id(u).await?.map(|u| u.time_zone).unwrap_or_default(),
            None => String::new(),
        };
        resolved.push((spec, zone, who));
    }
    let pairs: Vec<(StepSpec, String)> = resolved.iter().map(|(s, z, _)| (s.clone(), z.clone())).collect();
    let dues = due_times(&pairs, at);
    let run = WorkflowRunRow {
        id: Uuid::now_v7(),
        account_id,
        template_id: Some(template.id),
        template_name: template.name.clone(),
        template_version: template.version,
        contact_id: contact.map(|c| c.id),
        project_id: project.map(|pr| pr.id),
        state: RunState::Active,
        epoch: 0,
        started_by,
        started_at: at,
        updated_at: at,
    };
    let mut steps = Vec::with_capacity(resolved.len());
    for (i, ((spec, _, who), due)) in resolved.into_iter().zip(dues).enumerate() {
        steps.push(WorkflowRunStepRow {
            id: Uuid::now_v7(),
            run_id: run.id,
            account_id,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            kind: spec.kind,
            title: spec.title.clone(),
            spec: serde_json::to_string(&spec).map_err(|e| ServiceError::Internal(e.to_string()))?,
            assignee_id: who,
            due_at: due,
            state: RunStepState::Scheduled,
            reason: None,
            subject: None,
            body: None,
            result_id: None,
            decided_by: None,
            updated_at: at,
        });
    }
    tx.insert_workflow_run(runs, &run, &steps).await?;
    if let Some(first) = steps.first() {
        enqueue_step(tx, &run, first, at.max(crate::now())).await?;
    }
    Ok((run, steps))
}

/// The run scope of the job runner.
pub(crate) fn runner_scope(account_id: Uuid) -> RunScope {
    scope::internal_runs(account_id, scope::InternalUse::WorkflowStep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{StepAfter, StepKind};

    fn spec(after: StepAfter, days: i64, at: &str) -> StepSpec {
        StepSpec {
            kind: StepKind::Todo,
            after,
            after_days: days,
            at_time: at.to_owned(),
            assignee: "project_owner".to_owned(),
            title: "t".to_owned(),
            approval: None,
            subject: None,
            body: None,
            duration_minutes: None,
        }
    }

    #[test]
    fn r_wf_1_due_times_count_days_on_the_assignees_clock_never_before_their_base() {
        let start = time::macros::datetime!(2026-12-07 14:00 UTC);
        let specs = vec![
            (spec(StepAfter::Start, 0, "09:00"), "Europe/Paris".to_owned()),
            (spec(StepAfter::Previous, 1, "09:00"), "Europe/Paris".to_owned()),
            (spec(StepAfter::Start, 2, "17:30"), "America/New_York".to_owned()),
            (spec(StepAfter::Previous, 0, "08:00"), String::new()),
        ];
        let d = due_times(&specs, start);
        // Day 0 at 09:00 Paris passed at 14:00 UTC: due at once.
        assert_eq!(d[0], start);
        assert_eq!(d[1], time::macros::datetime!(2026-12-08 08:00 UTC));
        assert_eq!(d[2], time::macros::datetime!(2026-12-09 22:30 UTC));
        // 08:00 UTC the same day is before the previous step: due with it.
        assert_eq!(d[3], d[2]);
    }
}
