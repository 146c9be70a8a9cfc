//! The account's roles (R-ROLE-1): built-in roles with what they grant, custom roles to create,
//! edit and delete (when unused), the catalogue grouped with a sentence each.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::{FieldErrors, PermissionSet};
use roster_service::{NewRole, RolePatch, RoleView, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::rights_form::{PermissionGroup, field, grouped, set_of, ticked};
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "team/roles.html")]
pub struct RolesPage {
    nav: Nav,
    account_id: Uuid,
    builtin: Vec<RoleView>,
    custom: Vec<RoleView>,
    /// The create form.
    name: String,
    groups: Vec<PermissionGroup>,
    errors: FieldErrors,
    alert: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "team/role_edit.html")]
pub struct RoleEditPage {
    nav: Nav,
    account_id: Uuid,
    role: RoleView,
    name: String,
    groups: Vec<PermissionGroup>,
    errors: FieldErrors,
    alert: Option<String>,
}

async fn list_page(state: &AppState, user: &ConsoleUser, account_id: Uuid) -> Result<RolesPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let roles = state.service.roles(&user.0, account_id).await.map_err(fail(user))?;
    let (builtin, custom) = roles.items.into_iter().partition(|r| r.builtin);
    Ok(RolesPage {
        nav,
        account_id,
        builtin,
        custom,
        name: String::new(),
        groups: grouped(PermissionSet::EMPTY),
        errors: FieldErrors::new(),
        alert: None,
        notice: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /accounts/{id}/roles`
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<Done>,
) -> PageResult {
    let mut page = list_page(&state, &user, path_id(&account_id)?).await?;
    page.notice = match q.done.as_str() {
        "created" => Some("Role created."),
        "saved" => Some("Role saved. Every member holding it has the new permissions now."),
        "deleted" => Some("Role deleted."),
        _ => None,
    };
    Ok(page.into_response())
}

/// A refusal shown on the form: field errors by their field, the rest as one alert.
fn split(e: ServiceError) -> Result<(FieldErrors, Option<String>), ServiceError> {
    match e {
        ServiceError::Invalid(errors) => Ok((errors, None)),
        ServiceError::Conflict { message, .. } | ServiceError::Rule { message, .. } => {
            Ok((FieldErrors::new(), Some(message)))
        }
        ServiceError::Forbidden(p) => Ok((
            FieldErrors::new(),
            Some(format!("You cannot give “{}”: nobody grants a permission they do not hold.", p.id())),
        )),
        other => Err(other),
    }
}

/// `POST /accounts/{id}/roles`
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let input = NewRole { name: field(&pairs, "name").to_owned(), permissions: ticked(&pairs) };
    match state.service.create_role(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/roles?done=created")).into_response()),
        Err(e) => {
            let (errors, alert) = split(e).map_err(fail(&user))?;
            let mut page = list_page(&state, &user, account_id).await?;
            page.name = input.name;
            page.groups = grouped(set_of(&input.permissions));
            page.errors = errors;
            page.alert = alert;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn find(state: &AppState, user: &ConsoleUser, account_id: Uuid, role_id: &str) -> Result<RoleView, PageError> {
    let roles = state.service.roles(&user.0, account_id).await.map_err(fail(user))?;
    roles.items.into_iter().find(|r| !r.builtin && r.id == role_id).ok_or_else(|| fail(user)(ServiceError::NotFound))
}

/// `GET /accounts/{id}/roles/{role_id}`
pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, role_id)): Path<(String, String)>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let role = find(&state, &user, account_id, &role_id).await?;
    let held: Vec<String> = role.permissions.iter().map(|p| (*p).to_owned()).collect();
    Ok(RoleEditPage {
        nav,
        account_id,
        name: role.name.clone(),
        groups: grouped(set_of(&held)),
        role,
        errors: FieldErrors::new(),
        alert: None,
    }
    .into_response())
}

/// `POST /accounts/{id}/roles/{role_id}`: save, or delete when the form says so.
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, role_id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let deleting = field(&pairs, "intent") == "delete";
    let patch = RolePatch { name: Some(field(&pairs, "name").to_owned()), permissions: Some(ticked(&pairs)) };
    let outcome = if deleting {
        state.service.delete_role(&user.0, account_id, &role_id, &meta).await.map(|()| "deleted")
    } else {
        state.service.update_role(&user.0, account_id, &role_id, &patch, &meta).await.map(|_| "saved")
    };
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("/accounts/{account_id}/roles?done={done}")).into_response()),
        Err(e) => {
            let (errors, alert) = split(e).map_err(fail(&user))?;
            let nav = account_nav(&state, &user, account_id).await?;
            let role = find(&state, &user, account_id, &role_id).await?;
            let shown = patch.permissions.unwrap_or_default();
            let page = RoleEditPage {
                nav,
                account_id,
                name: patch.name.unwrap_or_default(),
                groups: grouped(set_of(&shown)),
                role,
                errors,
                alert,
            };
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}
