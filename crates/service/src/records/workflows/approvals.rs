//! The approval queue (R-WF-1, seed 004): email steps waiting for someone to approve them. The
//! step's assignee sees their own, a `workflows.edit` holder every one of the account's
//! (`scope::approvals`). Approving may edit the subject and body (plain text then, no tokens)
//! and puts the email in the outbox in the same unit of work; skipping ends the step unsent.
use roster_core::{AuditAction, FieldErrors, RunStepState, scope};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::runs::runner_scope;
use super::step_job::{StepSender, check_email, one_line, run_contact};
use super::view::{ApprovalPage, RunStepView};
use crate::accounts::page_limit;
use crate::signin::{Principal, audit};
use crate::{Meta, Result, Service, ServiceError, actor, now};

/// The most waiting emails the header counts.
pub const APPROVAL_COUNT_CAP: i64 = 100;

/// Approve as rendered, or with an edited subject and body (plain text).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveStep {
    pub subject: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct ApprovalParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// What the approver chose.
#[derive(Debug, Clone)]
pub enum Decision {
    Approve(ApproveStep),
    Skip,
}

fn cursor_of(step: &RunStepView) -> String {
    format!("{}_{}", step.due_at.unix_timestamp_nanos() / 1000, step.id)
}

fn parse_cursor(c: &str) -> Option<(OffsetDateTime, Uuid)> {
    let (micros, id) = c.split_once('_')?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros.parse::<i128>().ok()? * 1000).ok()?;
    Some((at, Uuid::parse_str(id).ok()?))
}

impl Service {
    /// The caller's approval queue, oldest due first.
    pub async fn approvals(&self, p: &Principal, account_id: Uuid, params: &ApprovalParams) -> Result<ApprovalPage> {
        let limit = page_limit(params.limit)?;
        let after = match params.cursor.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => Some(
                parse_cursor(c)
                    .ok_or_else(|| ServiceError::invalid("cursor", "This cursor is not one this server gave out."))?,
            ),
        };
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let queue = scope::approvals(&actor, account_id)?;
        let rows = tx.waiting_run_steps(&queue, after, limit + 1).await?;
        let mut items: Vec<RunStepView> = rows.into_iter().map(RunStepView::from).collect();
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if items.len() > keep {
            items.truncate(keep);
            items.last().map(cursor_of)
        } else {
            None
        };
        Ok(ApprovalPage { items, next_cursor })
    }

    /// How many emails wait for the caller (counted up to [`APPROVAL_COUNT_CAP`]), for the header.
    pub async fn approval_count(&self, p: &Principal, account_id: Uuid) -> Result<i64> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let queue = scope::approvals(&actor, account_id)?;
        Ok(tx.count_waiting_run_steps(&queue, APPROVAL_COUNT_CAP).await?)
    }

    /// Approves (maybe edited; the email goes to the outbox) or skips a waiting email step.
    pub async fn decide_approval(
        &self,
        p: &Principal,
        account_id: Uuid,
        step_id: Uuid,
        decision: &Decision,
        meta: &Meta,
    ) -> Result<RunStepView> {
        let mut tx = self.store.begin().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let queue = scope::approvals(&actor, account_id)?;
        let mut step = tx.waiting_run_step(&queue, step_id).await?.ok_or(ServiceError::NotFound)?;
        let runs = runner_scope(account_id);
        let run = tx.workflow_run(&runs, step.run_id).await?.ok_or(ServiceError::NotFound)?;
        let at = now();
        let mut sent = false;
        let (action, details) = match decision {
            Decision::Skip => {
                step.state = RunStepState::Skipped;
                (AuditAction::WorkflowStepSkipped, json!({ "run_id": run.id }))
            }
            Decision::Approve(edit) => {
                let subject =
                    edit.subject.as_deref().map(one_line).or_else(|| step.subject.clone()).unwrap_or_default();
                let body = edit.body.clone().or_else(|| step.body.clone()).unwrap_or_default();
                let edited = edit.subject.is_some() || edit.body.is_some();
                if let Err(reason) = check_email(&subject, &body) {
                    let mut errs = FieldErrors::new();
                    let field = if reason.starts_with("The subject") { "subject" } else { "body" };
                    errs.add(field, reason);
                    return Err(ServiceError::Invalid(errs));
                }
                if edited && !roster_core::is_plain_text(&subject) {
                    return Err(ServiceError::invalid("subject", roster_core::NOT_PLAIN_TEXT));
                }
                let from = tx.user_by_id(step.assignee_id.unwrap_or(p.user.id)).await?;
                let from = from.unwrap_or_else(|| p.user.clone());
                let from = StepSender { first_name: &from.first_name, last_name: &from.last_name, email: &from.email };
                let outcome = match run_contact(tx.as_mut(), &run).await? {
                    Err(reason) => Err(reason),
                    Ok(contact) => self.send_step_email(tx.as_mut(), &run, &contact, &from, &subject, &body).await?,
                };
                match outcome {
                    Ok(id) => {
                        step.state = RunStepState::Done;
                        step.result_id = Some(id);
                        sent = true;
                    }
                    Err(reason) => {
                        step.state = RunStepState::Failed;
                        step.reason = Some(reason);
                    }
                }
                step.subject = Some(subject);
                step.body = Some(body);
                (AuditAction::WorkflowStepApproved, json!({ "run_id": run.id, "edited": edited, "sent": sent }))
            }
        };
        step.decided_by = Some(p.user.id);
        step.updated_at = at;
        if tx.update_workflow_run_step(&runs, &step, RunStepState::Waiting).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        tx.finish_run_if_ended(&runs, run.id, at).await?;
        let mut a = audit(action, p.who(), Some(account_id), ("workflow_step", step.id.to_string()), meta);
        a.details = p.who().details(Some(details));
        tx.insert_audit(&a).await?;
        tx.commit().await?;
        if sent {
            self.mail_enqueued();
        }
        Ok(RunStepView::from(step))
    }
}
