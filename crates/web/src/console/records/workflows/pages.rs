//! The list of templates, one template's page, and its delete confirmation.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::{WorkflowTemplateParams, WorkflowTemplateView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/list.html")]
pub struct ListPage {
    nav: Nav,
    account_id: Uuid,
    templates: Vec<WorkflowTemplateView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/show.html")]
pub struct ShowPage {
    nav: Nav,
    account_id: Uuid,
    t: WorkflowTemplateView,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/delete.html")]
pub struct ConfirmPage {
    nav: Nav,
    account_id: Uuid,
    t: WorkflowTemplateView,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn list(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let params = WorkflowTemplateParams { limit: Some(500), ..Default::default() };
    let page = state.service.list_workflow_templates(&user.0, account_id, &params).await.map_err(fail(&user))?;
    Ok(ListPage { nav, account_id, templates: page.items }.into_response())
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, template_id)): Path<(String, String)>,
) -> PageResult {
    let (account_id, template_id) = (path_id(&account_id)?, path_id(&template_id)?);
    let nav = account_nav(&state, &user, account_id).await?;
    let t = state.service.workflow_template(&user.0, account_id, template_id).await.map_err(fail(&user))?;
    Ok(ShowPage { nav, account_id, t }.into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, template_id)): Path<(String, String)>,
) -> PageResult {
    let (account_id, template_id) = (path_id(&account_id)?, path_id(&template_id)?);
    let nav = account_nav(&state, &user, account_id).await?;
    let t = state.service.workflow_template(&user.0, account_id, template_id).await.map_err(fail(&user))?;
    Ok(ConfirmPage { nav, account_id, t }.into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, template_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, template_id) = (path_id(&account_id)?, path_id(&template_id)?);
    state.service.delete_workflow_template(&user.0, account_id, template_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/workflows")).into_response())
}
