//! What the API and the console show of workflow templates.
use roster_core::{StepAfter, StepApproval, StepKind};
use roster_store::WorkflowTemplateRow;
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
