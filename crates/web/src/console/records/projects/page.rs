//! A project's page and its forms: new, edit, delete.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, ProjectStatus};
use roster_service::{NewProject, ProjectPatch, ProjectView, ServiceError, TodoView};
use serde::Deserialize;
use uuid::Uuid;

use super::tag_names;
use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    csrf: String,
    name: String,
    status: String,
    tags: String,
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
    Ok(ProjectPage {
        nav,
        account_id,
        project,
        todos,
        form,
        statuses: statuses(),
        errors: FieldErrors::new(),
        alert: None,
        may_manage,
    })
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
pub async fn new_form(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    Ok(page(&state, &user, path_id(&account_id)?, None).await?.into_response())
}

/// `GET /accounts/{id}/projects/{project_id}`
pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, project_id)): Path<(String, String)>,
) -> PageResult {
    Ok(page(&state, &user, path_id(&account_id)?, Some(path_id(&project_id)?)).await?.into_response())
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
    let input = NewProject {
        name: form.name.clone(),
        contact_id: None,
        tags: tag_names(&form.tags),
        member_ids: Vec::new(),
        status: Some(form.status.clone()).filter(|s| !s.is_empty()),
    };
    match state.service.create_project(&user.0, account_id, &input, &meta).await {
        Ok(p) => Ok(Redirect::to(&format!("/accounts/{account_id}/projects/{}", p.id)).into_response()),
        Err(e) => {
            let (errors, alert) = split(e).map_err(fail(&user))?;
            let mut page = page(&state, &user, account_id, None).await?;
            (page.form, page.errors, page.alert) = (form, errors, alert);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
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
    let patch = ProjectPatch {
        name: Some(form.name.clone()),
        status: Some(form.status.clone()),
        tags: Some(tag_names(&form.tags)),
        ..ProjectPatch::default()
    };
    match state.service.update_project(&user.0, account_id, project_id, &patch, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/projects/{project_id}")).into_response()),
        Err(e) => {
            let (errors, alert) = split(e).map_err(fail(&user))?;
            let mut page = page(&state, &user, account_id, Some(project_id)).await?;
            (page.form, page.errors, page.alert) = (form, errors, alert);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
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
