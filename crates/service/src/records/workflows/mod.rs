//! Workflow templates (R-WF-1): an account's ordered steps (to-do, email, event), each with a
//! delay, a time of day and an assignee. Every active member reads them
//! (`scope::workflow_templates`); creating, editing and deleting is `workflows.edit`. Steps are
//! checked whole on every save (`steps.rs`) and stored as one JSON array with a version that
//! goes up on each edit, so a run copies the version it starts with.
//!
//! Runs (`runs.rs`) start a template on a contact or project; each step is a `workflow.step`
//! job (`step_job.rs`), run exactly once with the job's done mark; email steps upon approval
//! wait in the approval queue (`approvals.rs`).
pub(crate) mod approvals;
pub(crate) mod runs;
pub(crate) mod step_job;
pub(crate) mod steps;
pub(crate) mod templates;
pub(crate) mod view;
