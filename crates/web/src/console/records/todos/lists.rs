//! `GET /accounts/{id}/todos`: the lists, grouped by owner, and the new-list form.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{NewTodoList, ServiceError, TodoListParams, TodoListView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

/// One owner's lists.
pub struct Group {
    pub owner_id: Uuid,
    pub mine: bool,
    pub lists: Vec<TodoListView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/todos/lists.html")]
pub struct ListsPage {
    nav: Nav,
    account_id: Uuid,
    groups: Vec<Group>,
    name: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewListForm {
    csrf: String,
    name: String,
}

async fn page(state: &AppState, user: &ConsoleUser, account_id: Uuid) -> Result<ListsPage, crate::console::PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let params = TodoListParams { limit: Some(500), ..TodoListParams::default() };
    let lists = state.service.list_todo_lists(&user.0, account_id, &params).await.map_err(fail(user))?;
    let me = user.0.user().id;
    let mut groups: Vec<Group> = Vec::new();
    for l in lists.items {
        match groups.last_mut() {
            Some(g) if g.owner_id == l.owner_id => g.lists.push(l),
            _ => groups.push(Group { owner_id: l.owner_id, mine: l.owner_id == me, lists: vec![l] }),
        }
    }
    // The viewer's own lists first.
    groups.sort_by_key(|g| !g.mine);
    Ok(ListsPage { nav, account_id, groups, name: String::new(), errors: FieldErrors::new() })
}

pub async fn lists(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    Ok(page(&state, &user, path_id(&account_id)?).await?.into_response())
}

/// `POST /accounts/{id}/todos`: a new list of the viewer's own.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<NewListForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    let input = NewTodoList { name: form.name.clone(), owner_id: None };
    match state.service.create_todo_list(&user.0, account_id, &input, &meta).await {
        Ok(l) => Ok(Redirect::to(&format!("/accounts/{account_id}/todos/{}", l.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &user, account_id).await?;
            (page.name, page.errors) = (form.name, errors);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
