//! Workflow templates (R-WF-1): an account's ordered steps (to-do, email, event), each with a
//! delay, a time of day and an assignee. Every active member reads them
//! (`scope::workflow_templates`); creating, editing and deleting is `workflows.edit`. Steps are
//! checked whole on every save (`steps.rs`) and stored as one JSON array with a version that
//! goes up on each edit, so a run copies the version it starts with.
pub(crate) mod steps;
pub(crate) mod templates;
pub(crate) mod view;
