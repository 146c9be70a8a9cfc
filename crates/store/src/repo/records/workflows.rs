//! Workflow templates (R-WF-1). The scope always reaches the whole account (every active member
//! reads the templates, `roster_core::scope::workflow_templates`); it still names the account.
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// One workflow template: its steps are one JSON array, written and read whole by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowTemplateRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    /// The ordered steps as JSON (the service's `StepSpec` array).
    pub steps: String,
    /// 1 when created, one more on every edit.
    pub version: i64,
    pub created_by: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[async_trait]
pub trait WorkflowTemplateRepo {
    async fn insert_workflow_template(&mut self, scope: &Scope, row: &WorkflowTemplateRow) -> Result<()>;
    /// The template, if it is the scope's account's.
    async fn workflow_template(&mut self, scope: &Scope, id: Uuid) -> Result<Option<WorkflowTemplateRow>>;
    /// The account's templates by name then id, after `(name, id)`, at most `limit`.
    async fn workflow_templates(
        &mut self,
        scope: &Scope,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<Vec<WorkflowTemplateRow>>;
    /// Name and steps of a template of the scope's account, its version one more and
    /// `updated_at` set: rows changed.
    async fn update_workflow_template(&mut self, scope: &Scope, row: &WorkflowTemplateRow) -> Result<u64>;
    /// Deletes a template of the scope's account: rows deleted.
    async fn delete_workflow_template(&mut self, scope: &Scope, id: Uuid) -> Result<u64>;
}
