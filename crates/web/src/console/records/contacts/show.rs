//! `GET /accounts/{id}/contacts/{contact_id}`: one contact with tabs, opening on the viewer's
//! default contact tab (R-CON-1, seed 002; `?tab=` switches); `POST …/delete` deletes it. The
//! projects, to-dos and events tabs read only the open tab's records, each in the viewer's scope
//! of that kind (decision 0093); the emails tab says why it lists nothing.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::ContactTab;
use roster_service::contacts::ContactView;
use roster_service::{EventView, ProjectListParams, ProjectView, TodoView};
use serde::Deserialize;
use uuid::Uuid;

use super::list::holds;
use crate::AppState;
use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/contacts/show.html")]
pub struct ShowPage {
    nav: Nav,
    account_id: Uuid,
    c: ContactView,
    /// The assignee's name (or their id when the viewer may not read the member).
    assignee: Option<String>,
    tab: &'static str,
    tabs: Vec<(&'static str, &'static str)>,
    may_edit: bool,
    may_delete: bool,
    notice: Option<&'static str>,
    /// The open tab's records (empty for the others).
    projects: Vec<ProjectView>,
    todos: Vec<TodoView>,
    /// Each event with when it happens, in the viewer's time zone.
    events: Vec<(EventView, String)>,
    /// Projects: `projects.manage`; to-dos and events: the viewer's own work.
    may_add_project: bool,
    may_use_work: bool,
    /// The contact's workflow runs, and the templates one may start on it (R-WF-1).
    runs: Vec<roster_service::WorkflowRunView>,
    templates: Vec<roster_service::WorkflowTemplateView>,
}

/// When an event happens, as the viewer reads it: all-day events by their dates, timed ones in
/// the viewer's time zone.
pub(crate) fn event_when(nav: &Nav, e: &EventView) -> String {
    if e.all_day {
        if e.starts_at == e.ends_at {
            format!("{}, all day", e.starts_at)
        } else {
            format!("{} – {}, all day", e.starts_at, e.ends_at)
        }
    } else {
        format!("{} – {}", nav.when(&e.starts), nav.when(&e.ends))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    tab: String,
    done: String,
}

fn tab_label(t: ContactTab) -> &'static str {
    match t {
        ContactTab::Overview => "Overview",
        ContactTab::Projects => "Projects",
        ContactTab::Todos => "To-dos",
        ContactTab::Events => "Events",
        ContactTab::Emails => "Emails",
        ContactTab::Notes => "Notes",
    }
}

/// `GET /accounts/{id}/contacts/{contact_id}`
pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, contact_id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let contact_id = path_id(&contact_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let c = state.service.get_contact(&user.0, account_id, contact_id).await.map_err(fail(&user))?;
    let me = state.service.member(&user.0, account_id, user.0.user().id).await.ok();
    let preferred =
        me.as_ref().and_then(|m| ContactTab::parse(&m.preferences.contact_tab).ok()).unwrap_or(ContactTab::Overview);
    let tab = ContactTab::parse(q.tab.trim()).unwrap_or(preferred);
    let assignee = match c.assigned_to {
        Some(a) => Some(match state.service.member(&user.0, account_id, a).await {
            Ok(m) => format!("{} {}", m.first_name, m.last_name).trim().to_owned(),
            Err(_) => a.to_string(),
        }),
        None => None,
    };
    let (mut projects, mut todos, mut events) = (Vec::new(), Vec::new(), Vec::new());
    match tab {
        ContactTab::Projects => {
            let params = ProjectListParams {
                contact_id: Some(contact_id.to_string()),
                limit: Some(100),
                ..ProjectListParams::default()
            };
            projects = state.service.list_projects(&user.0, account_id, &params).await.map_err(fail(&user))?.items;
        }
        ContactTab::Todos => {
            todos = state.service.contact_todos(&user.0, account_id, contact_id).await.map_err(fail(&user))?;
        }
        ContactTab::Events => {
            let found = state.service.contact_events(&user.0, account_id, contact_id).await.map_err(fail(&user))?;
            events = found
                .into_iter()
                .map(|e| {
                    let w = event_when(&nav, &e);
                    (e, w)
                })
                .collect();
        }
        _ => {}
    }
    let (runs, templates) =
        super::super::workflows::of_record(&state, &user, account_id, Some(contact_id), None).await?;
    let page = ShowPage {
        runs,
        templates,
        may_add_project: nav.can.manage_projects(),
        may_use_work: nav.can.use_own_work(),
        projects,
        todos,
        events,
        nav,
        account_id,
        c,
        assignee,
        tab: tab.as_str(),
        tabs: ContactTab::ALL.iter().map(|t| (t.as_str(), tab_label(*t))).collect(),
        may_edit: holds(&state, &user, account_id, roster_core::Permission::ContactsEdit).await,
        may_delete: holds(&state, &user, account_id, roster_core::Permission::ContactsDelete).await,
        notice: match q.done.as_str() {
            "created" => Some("Contact created."),
            "saved" => Some("Contact saved."),
            _ => None,
        },
    };
    Ok(page.into_response())
}

/// `POST /accounts/{id}/contacts/{contact_id}/delete` (the page asks to confirm first).
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, contact_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let contact_id = path_id(&contact_id)?;
    state.service.delete_contact(&user.0, account_id, contact_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/contacts?done=deleted")).into_response())
}
