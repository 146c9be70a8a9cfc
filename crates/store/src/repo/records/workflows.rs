//! Workflow templates (R-WF-1). The scope always reaches the whole account (every active member
//! reads the templates, `roster_core::scope::workflow_templates`); it still names the account.
use async_trait::async_trait;
use roster_core::{MembershipStatus, RunScope, RunState, RunStepState, Scope, StepKind};
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

/// A workflow run (R-WF-1): a template started on a contact or a project (exactly one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRunRow {
    pub id: Uuid,
    pub account_id: Uuid,
    /// The template it was copied from (gone when the template was deleted since).
    pub template_id: Option<Uuid>,
    pub template_name: String,
    pub template_version: i64,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub state: RunState,
    /// One more on every pause, resume and cancel: a step's job of another epoch does nothing.
    pub epoch: i64,
    pub started_by: Uuid,
    pub started_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One step of a run, as copied from its template when the run started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRunStepRow {
    pub id: Uuid,
    pub run_id: Uuid,
    pub account_id: Uuid,
    /// 0, 1, … in the template's order.
    pub position: i32,
    pub kind: StepKind,
    pub title: String,
    /// The template's step, as JSON (the service's `StepSpec`).
    pub spec: String,
    /// Who it was given to when the run started; `None`: nobody could be (it fails when due).
    pub assignee_id: Option<Uuid>,
    pub due_at: OffsetDateTime,
    pub state: RunStepState,
    /// Why it failed (or was skipped).
    pub reason: Option<String>,
    /// An email step's rendered subject and body, once rendered (waiting, or sent).
    pub subject: Option<String>,
    pub body: Option<String>,
    /// The to-do, event or outbox email it made.
    pub result_id: Option<Uuid>,
    /// Who approved or skipped it.
    pub decided_by: Option<Uuid>,
    pub updated_at: OffsetDateTime,
}

/// What running a step needs to know of its assignee, read at once: their membership's status
/// in the account, their name, address and time zone, their default list and calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssigneeFacts {
    pub status: MembershipStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub time_zone: String,
    pub default_list: Option<Uuid>,
    pub default_calendar: Option<Uuid>,
}

/// Which runs a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunQuery {
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub state: Option<RunState>,
}

/// Runs are reached through their contact or project: every read and change takes a
/// [`RunScope`] and keeps to the runs whose contact or project it reaches.
#[async_trait]
pub trait WorkflowRunRepo {
    /// Adds a run and its steps (the service checked its contact or project is in the scope).
    async fn insert_workflow_run(
        &mut self,
        scope: &RunScope,
        run: &WorkflowRunRow,
        steps: &[WorkflowRunStepRow],
    ) -> Result<()>;
    /// The run, if it is in the scope.
    async fn workflow_run(&mut self, scope: &RunScope, id: Uuid) -> Result<Option<WorkflowRunRow>>;
    /// The runs in the scope matching `q`, newest first, after the run `after`, at most `limit`.
    async fn workflow_runs(
        &mut self,
        scope: &RunScope,
        q: &RunQuery,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<WorkflowRunRow>>;
    /// A run's steps in order (empty when the run is not in the scope).
    async fn workflow_run_steps(&mut self, scope: &RunScope, run_id: Uuid) -> Result<Vec<WorkflowRunStepRow>>;
    /// The assignee's facts in the scope's account (`None`: not a member of it).
    async fn assignee_facts(&mut self, scope: &Scope, user_id: Uuid) -> Result<Option<AssigneeFacts>>;
    /// Sets a run's state (and epoch, updated_at) if it is `from`: rows changed.
    async fn set_workflow_run_state(&mut self, scope: &RunScope, run: &WorkflowRunRow, from: RunState) -> Result<u64>;
    /// Writes a step's state, reason, subject, body, result and decider if its state is `from`
    /// and its run is in the scope: rows changed.
    async fn update_workflow_run_step(
        &mut self,
        scope: &RunScope,
        step: &WorkflowRunStepRow,
        from: RunStepState,
    ) -> Result<u64>;
    /// Cancels a run's scheduled and waiting steps: rows changed.
    async fn cancel_open_run_steps(&mut self, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64>;
    /// Marks an active run `done` when none of its steps is scheduled or waiting: rows changed.
    async fn finish_run_if_ended(&mut self, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64>;
    /// The approval queue: waiting email steps in the scope (all of the account's, or those
    /// assigned to the scope's member), oldest due first, after `(due_at, id)`, at most `limit`.
    async fn waiting_run_steps(
        &mut self,
        scope: &Scope,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: i64,
    ) -> Result<Vec<WorkflowRunStepRow>>;
    /// How many waiting steps the scope reaches, counted up to `cap`.
    async fn count_waiting_run_steps(&mut self, scope: &Scope, cap: i64) -> Result<i64>;
    /// A waiting step in the approval scope.
    async fn waiting_run_step(&mut self, scope: &Scope, step_id: Uuid) -> Result<Option<WorkflowRunStepRow>>;
}
