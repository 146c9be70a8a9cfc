//! Running one step of a workflow run (R-WF-1): the `workflow.step` job's handler. It runs in
//! the job runner's unit of work, with the job's done mark (decision 0096), so a step's effect
//! (the to-do, event or email), its new state and the next step's job commit together: exactly
//! once, whatever the number of runners or crashes. Steps after it that are already due run in
//! the same unit of work, in order (a run started late, or a template of same-day steps), so
//! one job does them all and enqueues the first step still to come (decision 0100).
//!
//! What a person could fix (no assignee, an assignee who left, no default list, a contact
//! without an address, an email that fails to render) fails the step with the reason and the
//! run goes on; only the store failing fails the job (rolled back, retried with backoff).
use roster_core::{MembershipStatus, RunState, RunStepState, StepApproval, StepKind, scope};
use roster_mail::TemplateName;
use std::collections::HashMap;

use roster_store::{AssigneeFacts, ContactRow, EventRow, JobRow, TodoRow, Tx, WorkflowRunRow, WorkflowRunStepRow};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::runs::{StepJob, enqueue_step, runner_scope};
use super::view::StepSpec;
use crate::mail::{Mail, Sender};
use crate::{Result, Service, ServiceError};

/// What a step came to.
pub(crate) enum Outcome {
    Done { result_id: Option<Uuid>, subject: Option<String>, body: Option<String> },
    Waiting { subject: String, body: String },
    Failed(String),
}

/// The most characters of an email step's subject and body, rendered or edited.
pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
/// The most steps one job runs (the first and those already due after it).
const CHAIN_MAX: usize = 64;

impl Service {
    /// The `workflow.step` job: runs the step if its run is active and in the job's epoch and
    /// the step is still scheduled (otherwise nothing: paused, cancelled, or already run).
    pub(crate) async fn run_workflow_step(&self, tx: &mut dyn Tx, job: &JobRow, now: OffsetDateTime) -> Result<()> {
        let sj: StepJob = serde_json::from_str(&job.payload).map_err(|e| {
            ServiceError::Internal(format!("workflow step job {} has an unreadable payload: {e}", job.id))
        })?;
        let Some(account_id) = job.account_id else {
            return Err(ServiceError::Internal(format!("workflow step job {} names no account", job.id)));
        };
        let runs = runner_scope(account_id);
        let Some(run) = tx.workflow_run(&runs, sj.run_id).await? else { return Ok(()) };
        if run.epoch != sj.epoch || run.state != RunState::Active {
            return Ok(());
        }
        let steps = tx.workflow_run_steps(&runs, run.id).await?;
        let Some(mut i) = steps.iter().position(|s| s.id == sj.step_id) else { return Ok(()) };
        if steps[i].state != RunStepState::Scheduled {
            return Ok(());
        }
        // Each assignee's facts read once per job, however many of their steps it runs.
        let mut facts: HashMap<Uuid, Option<AssigneeFacts>> = HashMap::new();
        let mut ran = 0;
        loop {
            let mut step = steps[i].clone();
            match self.step_effect(tx, &run, &step, &mut facts, now).await? {
                Outcome::Done { result_id, subject, body } => {
                    step.state = RunStepState::Done;
                    step.result_id = result_id;
                    step.subject = subject;
                    step.body = body;
                }
                Outcome::Waiting { subject, body } => {
                    step.state = RunStepState::Waiting;
                    step.subject = Some(subject);
                    step.body = Some(body);
                }
                Outcome::Failed(reason) => {
                    step.state = RunStepState::Failed;
                    step.reason = Some(reason);
                }
            }
            step.updated_at = now;
            tx.update_workflow_run_step(&runs, &step, RunStepState::Scheduled).await?;
            ran += 1;
            match steps.get(i + 1) {
                // Due already: run it now, in this unit of work (same run, same epoch, in order).
                Some(next) if next.due_at <= now && next.state == RunStepState::Scheduled && ran < CHAIN_MAX => i += 1,
                Some(next) => {
                    enqueue_step(tx, &run, next, now).await?;
                    return Ok(());
                }
                None => {
                    tx.finish_run_if_ended(&runs, run.id, now).await?;
                    return Ok(());
                }
            }
        }
    }

    /// The step's effect, written in `tx`; an `Err` is the store failing.
    async fn step_effect(
        &self,
        tx: &mut dyn Tx,
        run: &WorkflowRunRow,
        step: &WorkflowRunStepRow,
        facts: &mut HashMap<Uuid, Option<AssigneeFacts>>,
        now: OffsetDateTime,
    ) -> Result<Outcome> {
        let spec: StepSpec = serde_json::from_str(&step.spec)
            .map_err(|e| ServiceError::Internal(format!("workflow step {} has an unreadable spec: {e}", step.id)))?;
        let Some(assignee) = step.assignee_id else {
            return Ok(Outcome::Failed(format!(
                "Nobody to give it to: the run's {} named no member when the run started.",
                spec.assignee.replace('_', " ")
            )));
        };
        let all = scope::internal(run.account_id, scope::InternalUse::WorkflowStep);
        // One read: the membership's status, the person, their default list and calendar.
        let known = match facts.get(&assignee) {
            Some(f) => f.clone(),
            None => {
                let f = tx.assignee_facts(&all, assignee).await?;
                facts.insert(assignee, f.clone());
                f
            }
        };
        let Some(user) = known.filter(|a| a.status == MembershipStatus::Active) else {
            return Ok(Outcome::Failed("The assignee is no longer an active member of the account.".to_owned()));
        };
        match step.kind {
            StepKind::Todo => {
                let Some(list_id) = user.default_list else {
                    return Ok(Outcome::Failed("The assignee has no default to-do list.".to_owned()));
                };
                let (local, _) = roster_core::zone::in_zone(step.due_at, &user.time_zone);
                let todo = TodoRow {
                    id: Uuid::now_v7(),
                    account_id: run.account_id,
                    list_id,
                    title: step.title.clone(),
                    due_on: Some(local.date().to_string()),
                    done: false,
                    done_at: None,
                    project_id: run.project_id,
                    contact_id: run.contact_id,
                    assignee_id: Some(assignee),
                    created_by: run.started_by,
                    created_at: now,
                    updated_at: now,
                };
                if tx.insert_todo(&all, &todo).await? == 0 {
                    return Ok(Outcome::Failed("The assignee's default to-do list is gone.".to_owned()));
                }
                Ok(Outcome::Done { result_id: Some(todo.id), subject: None, body: None })
            }
            StepKind::Event => {
                let Some(calendar_id) = user.default_calendar else {
                    return Ok(Outcome::Failed("The assignee has no default calendar.".to_owned()));
                };
                let minutes = spec.duration_minutes.unwrap_or(30);
                let event = EventRow {
                    id: Uuid::now_v7(),
                    account_id: run.account_id,
                    calendar_id,
                    title: step.title.clone(),
                    starts_at: step.due_at,
                    ends_at: step.due_at + Duration::minutes(minutes),
                    all_day: false,
                    contact_id: run.contact_id,
                    project_id: run.project_id,
                    created_by: run.started_by,
                    created_at: now,
                    updated_at: now,
                };
                if !tx.insert_event(&all, &event).await? {
                    return Ok(Outcome::Failed("The assignee's default calendar is gone.".to_owned()));
                }
                Ok(Outcome::Done { result_id: Some(event.id), subject: None, body: None })
            }
            StepKind::Email => {
                let contact = match run_contact(tx, run).await? {
                    Ok(c) => c,
                    Err(reason) => return Ok(Outcome::Failed(reason)),
                };
                let account = tx.account_by_id(run.account_id).await?.ok_or(ServiceError::NotFound)?;
                let context = json!({
                    "contact": {
                        "first_name": contact.first_name,
                        "last_name": contact.last_name,
                        "email": contact.email,
                        "company": contact.company,
                    },
                    "member": { "first_name": user.first_name, "last_name": user.last_name, "email": user.email },
                    "account": { "name": account.name },
                });
                let render =
                    |text: Option<&String>| roster_mail::render_workflow_text(text.map_or("", |t| t), &context);
                let (subject, body) = match (render(spec.subject.as_ref()), render(spec.body.as_ref())) {
                    (Ok(s), Ok(b)) => (one_line(&s), b),
                    (Err(e), _) => return Ok(Outcome::Failed(format!("The subject: {e}"))),
                    (_, Err(e)) => return Ok(Outcome::Failed(format!("The body: {e}"))),
                };
                if let Err(reason) = check_email(&subject, &body) {
                    return Ok(Outcome::Failed(reason));
                }
                if spec.approval != Some(StepApproval::Auto) {
                    return Ok(Outcome::Waiting { subject, body });
                }
                let from = StepSender { first_name: &user.first_name, last_name: &user.last_name, email: &user.email };
                match self.send_step_email(tx, run, &contact, &from, &subject, &body).await? {
                    Ok(id) => Ok(Outcome::Done { result_id: Some(id), subject: Some(subject), body: Some(body) }),
                    Err(reason) => Ok(Outcome::Failed(reason)),
                }
            }
        }
    }

    /// Puts a step's email in the outbox, from the assignee (their name, their Reply-To):
    /// `Ok(Err(reason))` when the account may not send (its owner's address unproved); a full
    /// hourly quota is the store's kind of failure (the job is retried later).
    pub(crate) async fn send_step_email(
        &self,
        tx: &mut dyn Tx,
        run: &WorkflowRunRow,
        contact: &ContactRow,
        from: &StepSender<'_>,
        subject: &str,
        body: &str,
    ) -> Result<std::result::Result<Uuid, String>> {
        let Some(to) = contact.email.clone() else {
            return Ok(Err("The contact has no email address.".to_owned()));
        };
        let account = tx.account_by_id(run.account_id).await?.ok_or(ServiceError::NotFound)?;
        let name = format!("{} {}", from.first_name, from.last_name).trim().to_owned();
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::WorkflowEmail,
            to: &to,
            context: json!({
                "account": { "name": account.name },
                "sender": { "name": name },
                "email": { "subject": subject, "body": body },
            }),
            sender: Sender::User { name: &name, email: from.email },
            bcc: None,
        };
        match self.enqueue_email(tx, mail).await {
            Ok(row) => Ok(Ok(row.id)),
            Err(ServiceError::Rule { message, .. } | ServiceError::Conflict { message, .. }) => Ok(Err(message)),
            Err(e) => Err(e),
        }
    }
}

/// Who a step's email is from: the assignee (their name in From, their address in Reply-To).
pub(crate) struct StepSender<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
}

/// The contact a run emails: its own, or its project's client contact.
pub(crate) async fn run_contact(
    tx: &mut dyn Tx,
    run: &WorkflowRunRow,
) -> Result<std::result::Result<ContactRow, String>> {
    let all = scope::internal(run.account_id, scope::InternalUse::WorkflowStep);
    let id = match (run.contact_id, run.project_id) {
        (Some(c), _) => Some(c),
        (None, Some(p)) => tx.project(&all, p).await?.and_then(|p| p.contact_id),
        (None, None) => None,
    };
    let Some(id) = id else {
        return Ok(Err("The run's project has no client contact to email.".to_owned()));
    };
    match tx.contact(&all, id).await? {
        None => Ok(Err("The run's contact is gone.".to_owned())),
        Some(c) if c.email.is_none() => Ok(Err("The contact has no email address.".to_owned())),
        Some(c) => Ok(Ok(c)),
    }
}

/// A subject is one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// An email's subject (1–200 characters, one line) and body (1–20,000 characters).
pub(crate) fn check_email(subject: &str, body: &str) -> std::result::Result<(), String> {
    if subject.is_empty() || subject.chars().count() > SUBJECT_MAX {
        return Err(format!("The subject must be 1 to {SUBJECT_MAX} characters."));
    }
    if body.trim().is_empty() || body.chars().count() > BODY_MAX {
        return Err(format!("The body must be 1 to {BODY_MAX} characters."));
    }
    Ok(())
}
