//! A project's page and its forms: new, edit, delete.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, ProjectStatus};
use roster_service::{NewProject, ProjectPatch, ProjectView, ServiceError, TodoView};
use serde::Deserialize;
use uuid::Uuid;

use super::tag_names;
use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    csrf: String,
    name: String,
    status: String,
    tags: String,
    /// The client contact's id (blank: none), chosen from the picker.
    contact_id: String,
    /// The "find a contact" box, and its button (set: re-show, do not save).
    contact_q: String,
    find: Option<String>,
}

impl ProjectForm {
    /// The contact chosen: `Ok(None)` when blank, `Err` (a field error) when not an id.
    fn contact(&self) -> Result<Option<Uuid>, FieldErrors> {
        let raw = self.contact_id.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        Uuid::parse_str(raw).map(Some).map_err(|_| {
            let mut e = FieldErrors::new();
            e.add("contact_id", "Choose a contact of this account.");
            e
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    contact_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/projects/page.html")]
pub struct ProjectPage {
    nav: Nav,
    account_id: Uuid,
    /// `None`: the new-project form.
    project: Option<ProjectView>,
    todos: Vec<TodoView>,
    form: ProjectForm,
    statuses: Vec<&'static str>,
    errors: FieldErrors,
    alert: Option<String>,
    may_manage: bool,
    /// The client contact picker's choices (when the viewer may manage projects).
    contacts: Vec<Choice>,
    /// The client contact's name as the viewer may see it (`None`: none, or out of reach).
    contact_name: Option<String>,
    /// The project's workflow runs, and the templates one may start on it (R-WF-1).
    runs: Vec<roster_service::WorkflowRunView>,
    templates: Vec<roster_service::WorkflowTemplateView>,
}

fn statuses() -> Vec<&'static str> {
    ProjectStatus::ALL.iter().map(|s| s.as_str()).collect()
}

fn form_of(p: &ProjectView) -> ProjectForm {
    ProjectForm {
        csrf: String::new(),
        name: p.name.clone(),
        status: p.status.clone(),
        tags: p.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
        contact_id: p.contact_id.map(|c| c.to_string()).unwrap_or_default(),
        ..ProjectForm::default()
    }
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    project_id: Option<Uuid>,
) -> Result<ProjectPage, crate::console::PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let (project, todos) = match project_id {
        Some(id) => {
            let p = state.service.project(&user.0, account_id, id).await.map_err(fail(user))?;
            let todos = state.service.project_todos(&user.0, account_id, id).await.map_err(fail(user))?;
            (Some(p), todos)
        }
        None => (None, Vec::new()),
    };
    let form =
        project.as_ref().map(form_of).unwrap_or_else(|| ProjectForm { status: "active".into(), ..Default::default() });
    let may_manage = nav.can.manage_projects();
    let contact_name = match project.as_ref().and_then(|p| p.contact_id) {
        Some(c) => state.service.get_contact(&user.0, account_id, c).await.ok().map(|c| c.display_name()),
        None => None,
    };
    let (runs, templates) = match project_id {
        Some(id) => super::super::workflows::of_record(state, user, account_id, None, Some(id)).await?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(ProjectPage {
        runs,
        templates,
        nav,
        account_id,
        project,
        todos,
        form,
        statuses: statuses(),
        errors: FieldErrors::new(),
        alert: None,
        may_manage,
        contacts: Vec::new(),
        contact_name,
    })
}

/// The page with `form` as typed (`None`: the project's own), and the contact picker narrowed
/// by its `contact_q`.
async fn page_with(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    project_id: Option<Uuid>,
    form: Option<ProjectForm>,
) -> Result<ProjectPage, crate::console::PageError> {
    let mut page = page(state, user, account_id, project_id).await?;
    let form = form.unwrap_or(std::mem::take(&mut page.form));
    if page.may_manage {
        let current = Uuid::parse_str(form.contact_id.trim()).ok();
        page.contacts =
            pickers::contacts(state, user, account_id, &form.contact_q, current).await.map_err(fail(user))?;
    }
    page.form = form;
    Ok(page)
}

/// Field errors stay on the form; other refusals are the page's alert or an error page.
fn split(e: ServiceError) -> Result<(FieldErrors, Option<String>), ServiceError> {
    match e {
        ServiceError::Invalid(errors) => Ok((errors, None)),
        ServiceError::Conflict { message, .. } => Ok((FieldErrors::new(), Some(message))),
        other => Err(other),
    }
}

/// `GET /accounts/{id}/projects/new`
pub async fn new_form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let form = ProjectForm { status: "active".into(), contact_id: q.contact_id, ..ProjectForm::default() };
    Ok(page_with(&state, &user, path_id(&account_id)?, None, Some(form)).await?.into_response())
}

/// `GET /accounts/{id}/projects/{project_id}`
pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, project_id)): Path<(String, String)>,
) -> PageResult {
    let (account_id, project_id) = (path_id(&account_id)?, path_id(&project_id)?);
    Ok(page_with(&state, &user, account_id, Some(project_id), None).await?.into_response())
}

/// The form again: unsaved with the contacts narrowed (`find`, 200), or refused (422).
async fn again(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    project_id: Option<Uuid>,
    form: ProjectForm,
    refusal: Option<ServiceError>,
) -> PageResult {
    let Some(e) = refusal else {
        return Ok(page_with(state, user, account_id, project_id, Some(form)).await?.into_response());
    };
    let (errors, alert) = split(e).map_err(fail(user))?;
    let mut page = page_with(state, user, account_id, project_id, Some(form)).await?;
    (page.errors, page.alert) = (errors, alert);
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /accounts/{id}/projects`
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<ProjectForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    if form.find.is_some() {
        return again(&state, &user, account_id, None, form, None).await;
    }
    let contact_id = match form.contact() {
        Ok(c) => c,
        Err(errors) => return again(&state, &user, account_id, None, form, Some(ServiceError::Invalid(errors))).await,
    };
    let input = NewProject {
        name: form.name.clone(),
        contact_id,
        tags: tag_names(&form.tags),
        member_ids: Vec::new(),
        status: Some(form.status.clone()).filter(|s| !s.is_empty()),
    };
    match state.service.create_project(&user.0, account_id, &input, &meta).await {
        Ok(p) => Ok(Redirect::to(&format!("/accounts/{account_id}/projects/{}", p.id)).into_response()),
        Err(e) => again(&state, &user, account_id, None, form, Some(e)).await,
    }
}

/// `POST /accounts/{id}/projects/{project_id}`
pub async fn update(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, project_id)): Path<(String, String)>,
    Form(form): Form<ProjectForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, project_id) = (path_id(&account_id)?, path_id(&project_id)?);
    let here = Some(project_id);
    if form.find.is_some() {
        return again(&state, &user, account_id, here, form, None).await;
    }
    let contact_id = match form.contact() {
        Ok(c) => c,
        Err(errors) => return again(&state, &user, account_id, here, form, Some(ServiceError::Invalid(errors))).await,
    };
    let patch = ProjectPatch {
        name: Some(form.name.clone()),
        status: Some(form.status.clone()),
        tags: Some(tag_names(&form.tags)),
        contact_id,
        clear_contact: contact_id.is_none(),
        ..ProjectPatch::default()
    };
    match state.service.update_project(&user.0, account_id, project_id, &patch, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/projects/{project_id}")).into_response()),
        Err(e) => again(&state, &user, account_id, here, form, Some(e)).await,
    }
}

/// `POST /accounts/{id}/projects/{project_id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, project_id)): Path<(String, String)>,
    Form(form): Form<crate::console::common::CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, project_id) = (path_id(&account_id)?, path_id(&project_id)?);
    state.service.delete_project(&user.0, account_id, project_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/projects")).into_response())
}
