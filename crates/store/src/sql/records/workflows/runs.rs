//! Workflow runs and their steps (R-WF-1, decision 0100): the SQL. A run is in a [`RunScope`]
//! when it is the scope's account's and its contact (or project) is in the scope's contacts
//! (or projects): `$1` the account, `$2` all contacts, `$3` all projects, `$4` the member.
use roster_core::{MembershipStatus, Reach, RunScope, RunState, RunStepState, Scope, StepKind};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::super::driver::{SqlTx, get, to_db};
use super::super::super::{DbRow, catalogued, time, uuid};
use super::super::scope_args;
use crate::{AssigneeFacts, Result, RunQuery, StoreError, WorkflowRunRow, WorkflowRunStepRow};

const RUN_COLS: &str = "r.id, r.account_id, r.template_id, r.template_name, r.template_version, r.contact_id, \
     r.project_id, r.state, r.epoch, r.started_by, r.started_at, r.updated_at";

const STEP_COLS: &str = "s.id, s.run_id, s.account_id, s.position, s.kind, s.title, s.spec, s.assignee_id, \
     s.due_at, s.state, s.reason, s.subject, s.body, s.result_id, s.decided_by, s.updated_at";

/// "The run `r` is in the scope."
const IN_SCOPE: &str = "r.account_id = $1 \
     AND (r.contact_id IS NULL OR $2 OR EXISTS (SELECT 1 FROM contacts c \
          WHERE c.id = r.contact_id AND c.account_id = $1 AND c.assigned_to = $4)) \
     AND (r.project_id IS NULL OR $3 OR EXISTS (SELECT 1 FROM project_members m \
          WHERE m.project_id = r.project_id AND m.account_id = $1 AND m.user_id = $4))";

/// `($1, $2, $3, $4)` of [`IN_SCOPE`].
fn run_args(scope: &RunScope) -> (Uuid, bool, bool, Uuid) {
    let (account, contacts_all, me) = scope_args(scope.contacts());
    let projects_all = matches!(scope.projects().reach(), Reach::All);
    let me = match scope.projects().reach() {
        Reach::All => me,
        Reach::Own(u) | Reach::OwnAndProjects(u) => u,
    };
    (account, contacts_all, projects_all, me)
}

fn run_from_row(r: &DbRow<'_>) -> Result<WorkflowRunRow> {
    Ok(WorkflowRunRow {
        id: uuid(r, "id")?,
        account_id: uuid(r, "account_id")?,
        template_id: get(r, "template_id")?,
        template_name: get(r, "template_name")?,
        template_version: get(r, "template_version")?,
        contact_id: get(r, "contact_id")?,
        project_id: get(r, "project_id")?,
        state: catalogued(r, "state", RunState::parse)?,
        epoch: get(r, "epoch")?,
        started_by: uuid(r, "started_by")?,
        started_at: time(r, "started_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn step_from_row(r: &DbRow<'_>) -> Result<WorkflowRunStepRow> {
    Ok(WorkflowRunStepRow {
        id: uuid(r, "id")?,
        run_id: uuid(r, "run_id")?,
        account_id: uuid(r, "account_id")?,
        position: get(r, "position")?,
        kind: catalogued(r, "kind", StepKind::parse)?,
        title: get(r, "title")?,
        spec: get(r, "spec")?,
        assignee_id: get(r, "assignee_id")?,
        due_at: time(r, "due_at")?,
        state: catalogued(r, "state", RunStepState::parse)?,
        reason: get(r, "reason")?,
        subject: get(r, "subject")?,
        body: get(r, "body")?,
        result_id: get(r, "result_id")?,
        decided_by: get(r, "decided_by")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(super) async fn insert(
    tx: &mut SqlTx,
    scope: &RunScope,
    run: &WorkflowRunRow,
    steps: &[WorkflowRunStepRow],
) -> Result<()> {
    if run.account_id != scope.account_id()
        || steps.iter().any(|s| s.account_id != run.account_id || s.run_id != run.id)
    {
        return Err(StoreError::Database("a workflow run and its steps are added in the scope's account".into()));
    }
    tx.exec(
        "INSERT INTO workflow_runs (id, account_id, template_id, template_name, template_version, contact_id, \
         project_id, state, epoch, started_by, started_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![
            run.id,
            run.account_id,
            run.template_id,
            run.template_name,
            run.template_version,
            run.contact_id,
            run.project_id,
            run.state.as_str(),
            run.epoch,
            run.started_by,
            to_db(run.started_at),
            to_db(run.updated_at)
        ],
    )
    .await?;
    for s in steps {
        tx.exec(
            "INSERT INTO workflow_run_steps (id, run_id, account_id, position, kind, title, spec, assignee_id, \
             due_at, state, reason, subject, body, result_id, decided_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            args![
                s.id,
                s.run_id,
                s.account_id,
                s.position,
                s.kind.as_str(),
                s.title,
                s.spec,
                s.assignee_id,
                to_db(s.due_at),
                s.state.as_str(),
                s.reason,
                s.subject,
                s.body,
                s.result_id,
                s.decided_by,
                to_db(s.updated_at)
            ],
        )
        .await?;
    }
    Ok(())
}

/// Runs an `UPDATE … RETURNING id` built at run time: the rows changed.
macro_rules! changed {
    ($tx:expr, $sql:expr, $args:expr) => {
        $tx.all_dyn($sql, true, $args, |r| get::<Uuid>(r, "id")).await.map(|ids| ids.len() as u64)
    };
}

pub(super) async fn one(tx: &mut SqlTx, scope: &RunScope, id: Uuid) -> Result<Option<WorkflowRunRow>> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!("SELECT {RUN_COLS} FROM workflow_runs r WHERE r.id = $5 AND {IN_SCOPE}");
    Ok(tx.all_dyn(&sql, true, args![a, ca, pa, me, id], run_from_row).await?.into_iter().next())
}

pub(super) async fn list(
    tx: &mut SqlTx,
    scope: &RunScope,
    q: &RunQuery,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<WorkflowRunRow>> {
    let (a, ca, pa, me) = run_args(scope);
    let mut sql = format!("SELECT {RUN_COLS} FROM workflow_runs r WHERE {IN_SCOPE}");
    if q.contact_id.is_some() {
        sql.push_str(" AND r.contact_id = $5");
    }
    if q.project_id.is_some() {
        sql.push_str(" AND r.project_id = $6");
    }
    if q.state.is_some() {
        sql.push_str(" AND r.state = $7");
    }
    if after.is_some() {
        sql.push_str(" AND r.id < $8");
    }
    sql.push_str(" ORDER BY r.id DESC LIMIT $9");
    let args = args![
        a,
        ca,
        pa,
        me,
        q.contact_id.unwrap_or_default(),
        q.project_id.unwrap_or_default(),
        q.state.map_or("", RunState::as_str),
        after.unwrap_or_default(),
        limit
    ];
    tx.all_dyn(&sql, true, args, run_from_row).await
}

pub(super) async fn steps(tx: &mut SqlTx, scope: &RunScope, run_id: Uuid) -> Result<Vec<WorkflowRunStepRow>> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!(
        "SELECT {STEP_COLS} FROM workflow_run_steps s JOIN workflow_runs r ON r.id = s.run_id \
         WHERE s.run_id = $5 AND {IN_SCOPE} ORDER BY s.position"
    );
    tx.all_dyn(&sql, true, args![a, ca, pa, me, run_id], step_from_row).await
}

const ASSIGNEE_FACTS: &str = "SELECT m.status, u.first_name, u.last_name, u.email, u.time_zone, \
     (SELECT l.id FROM todo_lists l WHERE l.account_id = $1 AND l.owner_id = $2 AND l.is_default) AS list_id, \
     (SELECT c.id FROM calendars c WHERE c.account_id = $1 AND c.owner_id = $2 AND c.is_default) AS calendar_id \
     FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 AND m.user_id = $2";

pub(super) async fn assignee_facts(tx: &mut SqlTx, scope: &Scope, user_id: Uuid) -> Result<Option<AssigneeFacts>> {
    tx.opt(ASSIGNEE_FACTS, args![scope.account_id(), user_id], |r| {
        Ok(AssigneeFacts {
            status: catalogued(r, "status", MembershipStatus::parse)?,
            first_name: get(r, "first_name")?,
            last_name: get(r, "last_name")?,
            email: get(r, "email")?,
            time_zone: get(r, "time_zone")?,
            default_list: get(r, "list_id")?,
            default_calendar: get(r, "calendar_id")?,
        })
    })
    .await
}

pub(super) async fn set_state(tx: &mut SqlTx, scope: &RunScope, run: &WorkflowRunRow, from: RunState) -> Result<u64> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!(
        "UPDATE workflow_runs SET state = $6, epoch = $7, updated_at = $8 \
         WHERE id = $5 AND state = $9 AND id IN (SELECT r.id FROM workflow_runs r WHERE r.id = $5 AND {IN_SCOPE}) RETURNING id"
    );
    changed!(
        tx,
        &sql,
        args![a, ca, pa, me, run.id, run.state.as_str(), run.epoch, to_db(run.updated_at), from.as_str()]
    )
}

pub(super) async fn update_step(
    tx: &mut SqlTx,
    scope: &RunScope,
    s: &WorkflowRunStepRow,
    from: RunStepState,
) -> Result<u64> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!(
        "UPDATE workflow_run_steps SET state = $6, reason = $7, subject = $8, body = $9, result_id = $10, \
         decided_by = $11, updated_at = $12 \
         WHERE id = $5 AND state = $13 AND run_id IN (SELECT r.id FROM workflow_runs r WHERE r.id = $14 AND {IN_SCOPE}) RETURNING id"
    );
    changed!(
        tx,
        &sql,
        args![
            a,
            ca,
            pa,
            me,
            s.id,
            s.state.as_str(),
            s.reason,
            s.subject,
            s.body,
            s.result_id,
            s.decided_by,
            to_db(s.updated_at),
            from.as_str(),
            s.run_id
        ]
    )
}

pub(super) async fn cancel_open(tx: &mut SqlTx, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!(
        "UPDATE workflow_run_steps SET state = 'cancelled', updated_at = $6 \
         WHERE run_id = $5 AND state IN ('scheduled', 'waiting') \
         AND run_id IN (SELECT r.id FROM workflow_runs r WHERE r.id = $5 AND {IN_SCOPE}) RETURNING id"
    );
    changed!(tx, &sql, args![a, ca, pa, me, run_id, to_db(at)])
}

pub(super) async fn finish_if_ended(tx: &mut SqlTx, scope: &RunScope, run_id: Uuid, at: OffsetDateTime) -> Result<u64> {
    let (a, ca, pa, me) = run_args(scope);
    let sql = format!(
        "UPDATE workflow_runs SET state = 'done', updated_at = $6 \
         WHERE id = $5 AND state = 'active' \
         AND NOT EXISTS (SELECT 1 FROM workflow_run_steps s WHERE s.run_id = $5 AND s.state IN ('scheduled', 'waiting')) \
         AND id IN (SELECT r.id FROM workflow_runs r WHERE r.id = $5 AND {IN_SCOPE}) RETURNING id"
    );
    changed!(tx, &sql, args![a, ca, pa, me, run_id, to_db(at)])
}

/// "The step `s` waits, in the approval scope": all the account's (`$2`) or the member's (`$3`).
const WAITING: &str = "s.account_id = $1 AND s.state = 'waiting' AND ($2 OR s.assignee_id = $3)";

pub(super) async fn waiting(
    tx: &mut SqlTx,
    scope: &Scope,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<Vec<WorkflowRunStepRow>> {
    let (a, all, me) = scope_args(scope);
    let mut sql = format!("SELECT {STEP_COLS} FROM workflow_run_steps s WHERE {WAITING}");
    if after.is_some() {
        sql.push_str(" AND (s.due_at, s.id) > ($4, $5)");
    }
    sql.push_str(" ORDER BY s.due_at, s.id LIMIT $6");
    let (at, id) = after.unwrap_or((OffsetDateTime::UNIX_EPOCH, Uuid::nil()));
    tx.all_dyn(&sql, true, args![a, all, me, to_db(at), id, limit], step_from_row).await
}

pub(super) async fn count_waiting(tx: &mut SqlTx, scope: &Scope, cap: i64) -> Result<i64> {
    let (a, all, me) = scope_args(scope);
    let sql = format!(
        "SELECT count(*) AS n FROM (SELECT 1 AS one FROM workflow_run_steps s WHERE {WAITING} LIMIT $4) capped"
    );
    let n = tx.all_dyn(&sql, true, args![a, all, me, cap], |r| get::<i64>(r, "n")).await?;
    Ok(n.into_iter().next().unwrap_or(0))
}

pub(super) async fn waiting_one(tx: &mut SqlTx, scope: &Scope, step_id: Uuid) -> Result<Option<WorkflowRunStepRow>> {
    let (a, all, me) = scope_args(scope);
    let sql = format!("SELECT {STEP_COLS} FROM workflow_run_steps s WHERE s.id = $4 AND {WAITING}");
    Ok(tx.all_dyn(&sql, true, args![a, all, me, step_id], step_from_row).await?.into_iter().next())
}
