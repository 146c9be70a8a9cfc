//! What the API and the console show of workflow templates.
use roster_core::{RunState, RunStepState, StepAfter, StepApproval, StepKind};
use roster_store::{WorkflowRunRow, WorkflowRunStepRow, WorkflowTemplateRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ServiceError;

/// One checked step, as stored (in order) in the template and answered by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepSpec {
    pub kind: StepKind,
    /// What `after_days` counts from: the run's start or the previous step.
    pub after: StepAfter,
    /// Days after `after`, 0–365.
    pub after_days: i64,
    /// `HH:MM` on the assignee's wall clock (their time zone).
    pub at_time: String,
    /// A member's id, or a role of the run: `project_owner`, `contact_assignee`.
    pub assignee: String,
    /// The to-do's title, the event's title, or the email's name in the approval queue.
    pub title: String,
    /// Email steps: `auto` (goes out by itself) or `manual` (waits for approval).
    pub approval: Option<StepApproval>,
    /// Email steps: the subject, with contact tokens (`{{ contact.first_name }}`…).
    pub subject: Option<String>,
    /// Email steps: the text body, with contact tokens.
    pub body: Option<String>,
    /// Event steps: minutes, 5–1440.
    pub duration_minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkflowTemplateView {
    pub id: Uuid,
    pub name: String,
    /// 1 when created, one more on each edit; a run records the version it copied.
    pub version: i64,
    pub steps: Vec<StepSpec>,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl TryFrom<WorkflowTemplateRow> for WorkflowTemplateView {
    type Error = ServiceError;
    fn try_from(r: WorkflowTemplateRow) -> Result<Self, ServiceError> {
        let steps: Vec<StepSpec> = serde_json::from_str(&r.steps)
            .map_err(|e| ServiceError::Internal(format!("workflow template {} has unreadable steps: {e}", r.id)))?;
        Ok(WorkflowTemplateView {
            id: r.id,
            name: r.name,
            version: r.version,
            steps,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkflowTemplatePage {
    pub items: Vec<WorkflowTemplateView>,
    pub next_cursor: Option<String>,
}

/// One step of a run: what the template said, who it went to, when, and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunStepView {
    pub id: Uuid,
    pub run_id: Uuid,
    pub position: i32,
    pub kind: StepKind,
    pub title: String,
    /// `scheduled`, `waiting` (an email waiting for approval), `done`, `skipped`, `failed`, `cancelled`.
    pub state: RunStepState,
    /// Who the step was given to when the run started; absent when nobody could be.
    pub assignee_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// Why it failed.
    pub reason: Option<String>,
    /// An email step's rendered subject and body, once rendered.
    pub subject: Option<String>,
    pub body: Option<String>,
    /// The to-do, event or outbox email it made.
    pub result_id: Option<Uuid>,
    /// Who approved or skipped it.
    pub decided_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Email steps: `auto` or `manual`.
    pub approval: Option<StepApproval>,
}

impl From<WorkflowRunStepRow> for RunStepView {
    fn from(s: WorkflowRunStepRow) -> Self {
        let approval = serde_json::from_str::<StepSpec>(&s.spec).ok().and_then(|spec| spec.approval);
        RunStepView {
            id: s.id,
            run_id: s.run_id,
            position: s.position,
            kind: s.kind,
            title: s.title,
            state: s.state,
            assignee_id: s.assignee_id,
            due_at: s.due_at,
            reason: s.reason,
            subject: s.subject,
            body: s.body,
            result_id: s.result_id,
            decided_by: s.decided_by,
            updated_at: s.updated_at,
            approval,
        }
    }
}

/// A workflow run: the template (and version) it copied, its contact or project, its state and,
/// when read alone, its steps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkflowRunView {
    pub id: Uuid,
    /// Absent when the template was deleted since (the run keeps its copy).
    pub template_id: Option<Uuid>,
    pub template_name: String,
    pub template_version: i64,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// `active`, `paused`, `cancelled`, `done`.
    pub state: RunState,
    pub started_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// In order; empty in lists.
    pub steps: Vec<RunStepView>,
}

impl WorkflowRunView {
    pub fn new(r: WorkflowRunRow, steps: Vec<WorkflowRunStepRow>) -> Self {
        WorkflowRunView {
            id: r.id,
            template_id: r.template_id,
            template_name: r.template_name,
            template_version: r.template_version,
            contact_id: r.contact_id,
            project_id: r.project_id,
            state: r.state,
            started_by: r.started_by,
            started_at: r.started_at,
            updated_at: r.updated_at,
            steps: steps.into_iter().map(RunStepView::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkflowRunPage {
    pub items: Vec<WorkflowRunView>,
    pub next_cursor: Option<String>,
}

/// The approval queue: waiting email steps, oldest due first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalPage {
    pub items: Vec<RunStepView>,
    pub next_cursor: Option<String>,
}
