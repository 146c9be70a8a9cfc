//! Workflow templates (R-WF-1): the SQL; runs and their steps in `runs.rs`. A template is in a scope when it is the scope's
//! account's (the scope of templates always reaches the whole account, `$2` is true).
use roster_core::{RunScope, RunState, RunStepState, Scope};
use time::OffsetDateTime;
use uuid::Uuid;

mod runs;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, time, uuid};
use super::scope_args;
use crate::{Result, RunQuery, StoreError, WorkflowRunRow, WorkflowRunStepRow, WorkflowTemplateRow};

const COLS: &str = "w.id, w.account_id, w.name, w.steps, w.version, w.created_by, w.created_at, w.updated_at";

fn template_from_row(r: &DbRow<'_>) -> Result<WorkflowTemplateRow> {
    Ok(WorkflowTemplateRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        name: get(r, "name")?,
        steps: get(r, "steps")?,
        version: get(r, "version")?,
        created_by: uuid(r, "created_by")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[async_trait::async_trait]
impl crate::WorkflowTemplateRepo for SqlTx {
    async fn insert_workflow_template(&mut self, scope: &Scope, row: &WorkflowTemplateRow) -> Result<()> {
        if row.account_id != scope.account_id() {
            return Err(StoreError::Database("a workflow template is added in its scope's account".into()));
        }
        self.exec(
            "INSERT INTO workflow_templates (id, account_id, name, steps, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                row.id,
                row.account_id,
                row.name,
                row.steps,
                row.version,
                row.created_by,
                to_db(row.created_at),
                to_db(row.updated_at)
            ],
        )
        .await?;
        Ok(())
    }

    async fn workflow_template(&mut self, scope: &Scope, id: Uuid) -> Result<Option<WorkflowTemplateRow>> {
        let (a, _, _) = scope_args(scope);
        let sql = format!("SELECT {COLS} FROM workflow_templates w WHERE w.account_id = $1 AND w.id = $2");
        Ok(self.all_dyn(&sql, true, args![a, id], template_from_row).await?.into_iter().next())
    }

    async fn workflow_templates(
        &mut self,
        scope: &Scope,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<Vec<WorkflowTemplateRow>> {
        let (a, _, _) = scope_args(scope);
        let mut sql = format!("SELECT {COLS} FROM workflow_templates w WHERE w.account_id = $1");
        if after.is_some() {
            sql.push_str(" AND (w.name, w.id) > ($2, $3)");
        }
        sql.push_str(" ORDER BY w.name, w.id LIMIT $4");
        let (an, ai) = after.unwrap_or_default();
        self.all_dyn(&sql, true, args![a, an, ai, limit], template_from_row).await
    }

    async fn update_workflow_template(&mut self, scope: &Scope, row: &WorkflowTemplateRow) -> Result<u64> {
        let (a, _, _) = scope_args(scope);
        let ids = self
            .all_dyn(
                "UPDATE workflow_templates SET name = $3, steps = $4, version = version + 1, updated_at = $5 \
                 WHERE account_id = $1 AND id = $2 RETURNING id",
                true,
                args![a, row.id, row.name, row.steps, to_db(row.updated_at)],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        Ok(ids.len() as u64)
    }

    async fn delete_workflow_template(&mut self, scope: &Scope, id: Uuid) -> Result<u64> {
        let (a, _, _) = scope_args(scope);
        let ids = self
            .all_dyn(
                "DELETE FROM workflow_templates WHERE account_id = $1 AND id = $2 RETURNING id",
                true,
                args![a, id],
                |r| get::<Uuid>(r, "id"),
            )
            .await?;
        Ok(ids.len() as u64)
    }
}

#[async_trait::async_trait]
impl crate::WorkflowRunRepo for SqlTx {
    async fn insert_workflow_run(
        &mut self,
        scope: &RunScope,
        run: &WorkflowRunRow,
        steps: &[WorkflowRunStepRow],
    ) -> Result<()> {
        runs::insert(self, scope, run, steps).await
    }

    async fn workflow_run(&mut self, scope: &RunScope, id: Uuid) -> Result<Option<WorkflowRunRow>> {
        runs::one(self, scope, id).await
    }

    async fn workflow_runs(
        &mut self,
        scope: &RunScope,
        q: &RunQuery,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<WorkflowRunRow>> {
        runs::list(self, scope, q, after, limit).await
    }

    async fn workflow_run_steps(&mut self, scope: &RunScope, run_id: Uuid) -> Result<Vec<WorkflowRunStepRow>> {
        runs::steps(self, scope, run_id).await
    }

    async fn assignee_facts(&mut self, scope: &Scope, user_id: Uuid) -> Result<Option<crate::AssigneeFacts>> {
        runs::assignee_facts(self, scope, user_id).await
    }

    async fn set_workflow_run_state(&mut self, scope: &RunScope, run: &WorkflowRunRow, from: RunState) -> Result<u64> {
        runs::set_state(self, scope, run, from).await
    }

    async fn update_workflow_run_step(
        &mut self,
        scope: &RunScope,
        step: &WorkflowRunStepRow,
        from: RunStepState,
    ) -> Result<u64> {
        runs::update_step(self, scope, step, from).await
    }

    async fn cancel_open_run_steps(&mut self, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64> {
        runs::cancel_open(self, scope, run_id, at).await
    }

    async fn finish_run_if_ended(&mut self, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64> {
        runs::finish_if_ended(self, scope, run_id, at).await
    }

    async fn waiting_run_steps(
        &mut self,
        scope: &Scope,
        after: Option<(OffsetDateTime, Uuid)>,
        limit: i64,
    ) -> Result<Vec<WorkflowRunStepRow>> {
        runs::waiting(self, scope, after, limit).await
    }

    async fn count_waiting_run_steps(&mut self, scope: &Scope, cap: i64) -> Result<i64> {
        runs::count_waiting(self, scope, cap).await
    }

    async fn waiting_run_step(&mut self, scope: &Scope, step_id: Uuid) -> Result<Option<WorkflowRunStepRow>> {
        runs::waiting_one(self, scope, step_id).await
    }
}
