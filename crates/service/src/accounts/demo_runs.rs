//! `roster demo --workflow-runs N` (the runner's benchmark, `bench/workflow_runs.sh`): a
//! 10-step template (to-dos and events by turns, every step due at once) started N times on one
//! of the demo's clients, each run's first step enqueued. Written [`RUN_BATCH`] runs per unit of
//! work; nothing runs here: the runners of `roster serve` do the steps.
use roster_core::scope::{InternalUse, internal, internal_runs};
use roster_core::{AuditAction, RunState, RunStepState, StepAfter, StepKind};
use roster_store::{WorkflowRunRow, WorkflowRunStepRow, WorkflowTemplateRow};
use uuid::Uuid;

use crate::accounts::demo_work::{CLIENTS, count, demo_audit};
use crate::records::workflows::runs::enqueue_step;
use crate::records::workflows::view::StepSpec;
use crate::{Result, Service, ServiceError, now};

/// Steps of the benchmark's template.
pub const BENCH_STEPS: usize = 10;
/// Runs written per unit of work.
const RUN_BATCH: u32 = 500;

impl Service {
    /// Starts `n` runs of the benchmark template in the account `slug` (the demo account by
    /// default), all due now; the runs made.
    pub async fn demo_fill_workflow_runs(
        &self,
        slug: Option<&str>,
        n: u32,
        progress: &(dyn Fn(u32) + Sync),
    ) -> Result<u32> {
        let slug = slug.unwrap_or(crate::accounts::demo::DEMO_SLUG);
        let account_id = self.demo_account(slug).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let runs = internal_runs(account_id, InternalUse::Demo);
        let (owner, contact) = {
            let mut tx = self.store.read().await?;
            let owner = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?.owner_id;
            let mut contact = None;
            for c in CLIENTS {
                if let Some(row) = tx.contact_by_email(&scope, c.3).await? {
                    contact = Some(row.id);
                    break;
                }
            }
            (owner, contact)
        };
        let Some(contact) = contact else { return Ok(0) };
        let specs: Vec<StepSpec> = (0..BENCH_STEPS)
            .map(|i| StepSpec {
                kind: if i % 2 == 0 { StepKind::Todo } else { StepKind::Event },
                after: StepAfter::Previous,
                after_days: 0,
                at_time: "00:00".to_owned(),
                assignee: owner.to_string(),
                title: format!("Benchmark step {}", i + 1),
                approval: None,
                subject: None,
                body: None,
                duration_minutes: (i % 2 == 1).then_some(30),
            })
            .collect();
        let t = now();
        let template = WorkflowTemplateRow {
            id: Uuid::now_v7(),
            account_id,
            name: format!("Benchmark plan ({BENCH_STEPS} steps)"),
            steps: crate::records::workflows::templates::steps_json(&specs)?,
            version: 1,
            created_by: owner,
            created_at: t,
            updated_at: t,
        };
        {
            let mut tx = self.store.begin().await?;
            tx.insert_workflow_template(&scope, &template).await?;
            tx.commit().await?;
        }
        let spec_json: Vec<String> = specs
            .iter()
            .map(|s| serde_json::to_string(s).map_err(|e| ServiceError::Internal(e.to_string())))
            .collect::<Result<_>>()?;
        let mut made = 0u32;
        while made < n {
            let batch = RUN_BATCH.min(n - made);
            let t = now();
            let mut tx = self.store.begin().await?;
            for _ in 0..batch {
                let run = WorkflowRunRow {
                    id: Uuid::now_v7(),
                    account_id,
                    template_id: Some(template.id),
                    template_name: template.name.clone(),
                    template_version: 1,
                    contact_id: Some(contact),
                    project_id: None,
                    state: RunState::Active,
                    epoch: 0,
                    started_by: owner,
                    started_at: t,
                    updated_at: t,
                };
                let steps: Vec<WorkflowRunStepRow> = specs
                    .iter()
                    .zip(&spec_json)
                    .enumerate()
                    .map(|(i, (s, json))| WorkflowRunStepRow {
                        id: Uuid::now_v7(),
                        run_id: run.id,
                        account_id,
                        position: i32::try_from(i).unwrap_or(i32::MAX),
                        kind: s.kind,
                        title: s.title.clone(),
                        spec: json.clone(),
                        assignee_id: Some(owner),
                        due_at: t,
                        state: RunStepState::Scheduled,
                        reason: None,
                        subject: None,
                        body: None,
                        result_id: None,
                        decided_by: None,
                        updated_at: t,
                    })
                    .collect();
                tx.insert_workflow_run(&runs, &run, &steps).await?;
                if let Some(first) = steps.first() {
                    enqueue_step(tx.as_mut(), &run, first, t).await?;
                }
            }
            tx.insert_audit(&demo_audit(&scope, AuditAction::WorkflowRunStarted, count(batch), t)).await?;
            tx.commit().await?;
            made += batch;
            progress(made);
        }
        Ok(made)
    }
}
