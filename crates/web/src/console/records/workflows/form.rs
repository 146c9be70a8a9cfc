//! The create and edit form. Fields are named as the API names them (`name`,
//! `steps[0].kind`, …), so the service's errors land next to their inputs. The button
//! `action=add_step` re-renders the form with one more empty step.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, RunRole, StepAfter, StepApproval, StepKind};
use roster_service::{MAX_STEPS, NewWorkflowTemplate, ServiceError, StepInput, StepSpec, WorkflowTemplatePatch};
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

/// One fieldset of the form, as typed.
#[derive(Debug, Clone, Default)]
pub struct StepRow {
    pub i: usize,
    pub kind: String,
    pub after: String,
    pub after_days: String,
    pub at_time: String,
    pub assignee: String,
    pub title: String,
    pub approval: String,
    pub subject: String,
    pub body: String,
    pub duration_minutes: String,
    errors: Vec<(String, String)>,
}

impl StepRow {
    fn empty(i: usize) -> Self {
        StepRow {
            i,
            kind: "todo".into(),
            after: "previous".into(),
            after_days: "0".into(),
            at_time: "09:00".into(),
            approval: "manual".into(),
            ..Default::default()
        }
    }

    fn of(i: usize, s: &StepSpec) -> Self {
        StepRow {
            i,
            kind: s.kind.as_str().into(),
            after: s.after.as_str().into(),
            after_days: s.after_days.to_string(),
            at_time: s.at_time.clone(),
            assignee: s.assignee.clone(),
            title: s.title.clone(),
            approval: s.approval.map_or("manual", |a| a.as_str()).into(),
            subject: s.subject.clone().unwrap_or_default(),
            body: s.body.clone().unwrap_or_default(),
            duration_minutes: s.duration_minutes.map(|d| d.to_string()).unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    /// The error of one of this step's fields.
    pub fn e(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn input(&self, errs: &mut FieldErrors) -> StepInput {
        let number = |field: &str, raw: &str, errs: &mut FieldErrors| -> Option<i64> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            raw.parse().map_err(|_| errs.add(&format!("steps[{}].{field}", self.i), "Enter a whole number.")).ok()
        };
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        StepInput {
            kind: self.kind.clone(),
            after: opt(&self.after),
            after_days: number("after_days", &self.after_days, errs),
            at_time: opt(&self.at_time),
            assignee: self.assignee.clone(),
            title: self.title.clone(),
            approval: opt(&self.approval),
            subject: opt(&self.subject),
            body: opt(&self.body),
            duration_minutes: number("duration_minutes", &self.duration_minutes, errs),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/form.html")]
pub struct FormPage {
    nav: Nav,
    account_id: Uuid,
    /// `None`: a new template.
    template_id: Option<Uuid>,
    name: String,
    steps: Vec<StepRow>,
    errors: FieldErrors,
    kinds: &'static [StepKind],
    afters: &'static [StepAfter],
    approvals: &'static [StepApproval],
    roles: &'static [RunRole],
}

struct Posted {
    csrf: String,
    action: String,
    name: String,
    steps: Vec<StepRow>,
}

/// Reads `steps[i].field` pairs into rows, in index order.
fn parse(pairs: &[(String, String)]) -> Posted {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut steps: Vec<StepRow> = Vec::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix("steps[") else { continue };
        let Some((i, field)) = rest.split_once("].") else { continue };
        let Ok(i) = i.parse::<usize>() else { continue };
        if i > MAX_STEPS {
            continue;
        }
        while steps.len() <= i {
            let n = steps.len();
            steps.push(StepRow { i: n, ..Default::default() });
        }
        let row = &mut steps[i];
        let slot = match field {
            "kind" => &mut row.kind,
            "after" => &mut row.after,
            "after_days" => &mut row.after_days,
            "at_time" => &mut row.at_time,
            "assignee" => &mut row.assignee,
            "title" => &mut row.title,
            "approval" => &mut row.approval,
            "subject" => &mut row.subject,
            "body" => &mut row.body,
            "duration_minutes" => &mut row.duration_minutes,
            _ => continue,
        };
        *slot = v.clone();
    }
    Posted { csrf: get("csrf"), action: get("action"), name: get("name"), steps }
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    template_id: Option<Uuid>,
    name: String,
    mut steps: Vec<StepRow>,
    errors: FieldErrors,
) -> Result<FormPage, crate::console::PageError> {
    let nav = account_nav(state, user, account_id).await?;
    if !nav.can.edit_workflows() {
        return Err(fail(user)(ServiceError::Forbidden(roster_core::Permission::WorkflowsEdit)));
    }
    for s in &mut steps {
        let prefix = format!("steps[{}].", s.i);
        s.errors = errors
            .0
            .iter()
            .filter_map(|e| e.field.strip_prefix(&prefix).map(|f| (f.to_owned(), e.message.clone())))
            .collect();
    }
    Ok(FormPage {
        nav,
        account_id,
        template_id,
        name,
        steps,
        errors,
        kinds: StepKind::ALL,
        afters: StepAfter::ALL,
        approvals: StepApproval::ALL,
        roles: RunRole::ALL,
    })
}

pub async fn new(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    Ok(page(&state, &user, account_id, None, String::new(), vec![StepRow::empty(0)], FieldErrors::new())
        .await?
        .into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, template_id)): Path<(String, String)>,
) -> PageResult {
    let (account_id, template_id) = (path_id(&account_id)?, path_id(&template_id)?);
    let t = state.service.workflow_template(&user.0, account_id, template_id).await.map_err(fail(&user))?;
    let steps = t.steps.iter().enumerate().map(|(i, s)| StepRow::of(i, s)).collect();
    Ok(page(&state, &user, account_id, Some(template_id), t.name, steps, FieldErrors::new()).await?.into_response())
}

/// Saves, or adds an empty step when the "Add a step" button was pressed.
async fn save(
    state: &AppState,
    user: &ConsoleUser,
    meta: &roster_service::Meta,
    account_id: Uuid,
    template_id: Option<Uuid>,
    pairs: &[(String, String)],
) -> PageResult {
    let mut posted = parse(pairs);
    user.check_csrf(&posted.csrf)?;
    if posted.action == "add_step" {
        if posted.steps.len() < MAX_STEPS {
            posted.steps.push(StepRow::empty(posted.steps.len()));
        }
        let p = page(state, user, account_id, template_id, posted.name, posted.steps, FieldErrors::new()).await?;
        return Ok(p.into_response());
    }
    let mut errs = FieldErrors::new();
    let steps: Vec<StepInput> = posted.steps.iter().map(|s| s.input(&mut errs)).collect();
    let result = if !errs.is_empty() {
        Err(ServiceError::Invalid(errs))
    } else if let Some(id) = template_id {
        let patch = WorkflowTemplatePatch { name: Some(posted.name.clone()), steps: Some(steps) };
        state.service.update_workflow_template(&user.0, account_id, id, &patch, meta).await
    } else {
        let input = NewWorkflowTemplate { name: posted.name.clone(), steps };
        state.service.create_workflow_template(&user.0, account_id, &input, meta).await
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/accounts/{account_id}/workflows/{}", t.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let p = page(state, user, account_id, template_id, posted.name, posted.steps, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(fail(user)(e)),
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    save(&state, &user, &meta, account_id, None, &pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, template_id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (account_id, template_id) = (path_id(&account_id)?, path_id(&template_id)?);
    save(&state, &user, &meta, account_id, Some(template_id), &pairs).await
}
