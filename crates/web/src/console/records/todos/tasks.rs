//! A list's page: its tasks, the add-task form, ticking done, deleting; renaming and deleting
//! the list.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{NewTodo, ServiceError, TodoListPatch, TodoListView, TodoParams, TodoPatch, TodoView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/todos/list.html")]
pub struct ListPage {
    nav: Nav,
    account_id: Uuid,
    list: TodoListView,
    todos: Vec<TodoView>,
    form: TaskForm,
    errors: FieldErrors,
    rename_errors: FieldErrors,
    alert: Option<String>,
    /// The add-task form's pickers, in the viewer's contacts and projects scopes.
    contacts: Vec<Choice>,
    projects: Vec<Choice>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    csrf: String,
    title: String,
    due_on: String,
    /// Chosen from the pickers (blank: none).
    contact_id: String,
    project_id: String,
    /// The "find a contact" box, and its button (set: re-show, do not add).
    contact_q: String,
    find: Option<String>,
}

impl TaskForm {
    /// The links chosen; a value that is not an id is a field error.
    fn links(&self) -> Result<(Option<Uuid>, Option<Uuid>), FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut id = |raw: &str, field: &str, message: &str| {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            Uuid::parse_str(raw).map_err(|_| errs.add(field, message)).ok()
        };
        let contact = id(&self.contact_id, "contact_id", "Choose a contact of this account.");
        let project = id(&self.project_id, "project_id", "Choose a project of this account.");
        if errs.is_empty() { Ok((contact, project)) } else { Err(errs) }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RenameForm {
    csrf: String,
    name: String,
}

async fn page(state: &AppState, user: &ConsoleUser, account_id: Uuid, list_id: Uuid) -> Result<ListPage, PageError> {
    page_with(state, user, account_id, list_id, TaskForm::default()).await
}

/// The list's page with the add-task form as typed; the contact picker narrowed by `contact_q`.
async fn page_with(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    list_id: Uuid,
    form: TaskForm,
) -> Result<ListPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let list = state.service.todo_list(&user.0, account_id, list_id).await.map_err(fail(user))?;
    let params = TodoParams { limit: Some(500), ..TodoParams::default() };
    let todos = state.service.list_todos(&user.0, account_id, list_id, &params).await.map_err(fail(user))?.items;
    let chosen = |s: &str| Uuid::parse_str(s.trim()).ok();
    let contacts = match nav.can.view_contacts() {
        true => pickers::contacts(state, user, account_id, &form.contact_q, chosen(&form.contact_id))
            .await
            .map_err(fail(user))?,
        false => Vec::new(),
    };
    let projects = pickers::projects(state, user, account_id, chosen(&form.project_id)).await.map_err(fail(user))?;
    Ok(ListPage {
        nav,
        account_id,
        list,
        todos,
        form,
        errors: FieldErrors::new(),
        rename_errors: FieldErrors::new(),
        alert: None,
        contacts,
        projects,
    })
}

fn back(account_id: Uuid, list_id: Uuid) -> axum::response::Response {
    Redirect::to(&format!("/accounts/{account_id}/todos/{list_id}")).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, list_id)): Path<(String, String)>,
) -> PageResult {
    Ok(page(&state, &user, path_id(&account_id)?, path_id(&list_id)?).await?.into_response())
}

/// `POST /accounts/{id}/todos/{list_id}`: adds a task.
pub async fn add(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, list_id)): Path<(String, String)>,
    Form(form): Form<TaskForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, list_id) = (path_id(&account_id)?, path_id(&list_id)?);
    if form.find.is_some() {
        return Ok(page_with(&state, &user, account_id, list_id, form).await?.into_response());
    }
    let refused = |errors: FieldErrors, form: TaskForm| {
        let state = state.clone();
        let user = &user;
        async move {
            let mut page = page_with(&state, user, account_id, list_id, form).await?;
            page.errors = errors;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let (contact_id, project_id) = match form.links() {
        Ok(links) => links,
        Err(errors) => return refused(errors, form).await,
    };
    let input = NewTodo {
        title: form.title.clone(),
        due_on: Some(form.due_on.clone()).filter(|d| !d.trim().is_empty()),
        contact_id,
        project_id,
        ..NewTodo::default()
    };
    match state.service.create_todo(&user.0, account_id, list_id, &input, &meta).await {
        Ok(_) => Ok(back(account_id, list_id)),
        Err(ServiceError::Invalid(errors)) => refused(errors, form).await,
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST …/tasks/{todo_id}/toggle`: done ↔ open.
pub async fn toggle(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, list_id, todo_id)): Path<(String, String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, list_id, todo_id) = (path_id(&account_id)?, path_id(&list_id)?, path_id(&todo_id)?);
    let t = state.service.todo(&user.0, account_id, todo_id).await.map_err(fail(&user))?;
    let patch = TodoPatch { done: Some(!t.done), ..TodoPatch::default() };
    state.service.update_todo(&user.0, account_id, todo_id, &patch, &meta).await.map_err(fail(&user))?;
    Ok(back(account_id, list_id))
}

/// `POST …/tasks/{todo_id}/delete`
pub async fn delete_task(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, list_id, todo_id)): Path<(String, String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, list_id, todo_id) = (path_id(&account_id)?, path_id(&list_id)?, path_id(&todo_id)?);
    state.service.delete_todo(&user.0, account_id, todo_id, &meta).await.map_err(fail(&user))?;
    Ok(back(account_id, list_id))
}

/// `POST /accounts/{id}/todos/{list_id}/rename`
pub async fn rename(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, list_id)): Path<(String, String)>,
    Form(form): Form<RenameForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, list_id) = (path_id(&account_id)?, path_id(&list_id)?);
    let patch = TodoListPatch { name: Some(form.name.clone()) };
    match state.service.update_todo_list(&user.0, account_id, list_id, &patch, &meta).await {
        Ok(_) => Ok(back(account_id, list_id)),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &user, account_id, list_id).await?;
            page.rename_errors = errors;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{id}/todos/{list_id}/delete`: a default list stays (the page says why).
pub async fn delete_list(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, list_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, list_id) = (path_id(&account_id)?, path_id(&list_id)?);
    match state.service.delete_todo_list(&user.0, account_id, list_id, &meta).await {
        Ok(()) => Ok(Redirect::to(&format!("/accounts/{account_id}/todos")).into_response()),
        Err(ServiceError::Conflict { message, .. }) => {
            let mut page = page(&state, &user, account_id, list_id).await?;
            page.alert = Some(message);
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
