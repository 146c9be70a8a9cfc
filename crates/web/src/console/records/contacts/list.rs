//! `GET /accounts/{id}/contacts`: the contacts in the viewer's scope; `…/pipeline`: a column per
//! stage; `POST …/filters`: "save this filter" (`filters.save`).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::contacts::{
    ContactListParams, ContactTotal, ContactView, FilterInput, PipelineColumn, SavedFilterView,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::picker::query_string;
use crate::console::team::rights_form::field;
use crate::extract::ClientMeta;

/// The list's query string, as typed (every field a string, so nothing typed by hand fails the
/// page's parsing: the service answers with a field error instead).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub stage: String,
    pub tag: String,
    pub hidden: String,
    pub sort: String,
    pub order: String,
    pub cursor: String,
    /// A saved filter's id: its query fills the fields left blank.
    pub filter: String,
    pub done: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl ListQuery {
    fn params(&self) -> ContactListParams {
        ContactListParams {
            q: some(&self.q),
            kind: some(&self.kind),
            stage: some(&self.stage),
            tag: some(&self.tag),
            assigned_to: None,
            hidden: some(&self.hidden),
            sort: some(&self.sort),
            order: some(&self.order),
            cursor: some(&self.cursor),
            limit: Some(50),
        }
    }

    /// The query string of this list with `cursor` (and no notice).
    fn href(&self, account_id: Uuid, cursor: &str) -> String {
        let qs = query_string(&[
            ("q", self.q.trim()),
            ("type", &self.kind),
            ("stage", &self.stage),
            ("tag", self.tag.trim()),
            ("hidden", &self.hidden),
            ("sort", &self.sort),
            ("order", &self.order),
            ("cursor", cursor),
        ]);
        format!("/accounts/{account_id}/contacts?{qs}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "records/contacts/list.html")]
pub struct ListPage {
    nav: Nav,
    account_id: Uuid,
    q: ListQuery,
    items: Vec<ContactView>,
    total: Option<ContactTotal>,
    next: Option<String>,
    kinds: Vec<&'static str>,
    stages: Vec<&'static str>,
    filters: Vec<SavedFilterView>,
    may_save: bool,
    may_edit: bool,
    export_href: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

pub(crate) fn kinds() -> Vec<&'static str> {
    roster_core::ContactKind::ALL.iter().map(|k| k.as_str()).collect()
}

pub(crate) fn stages() -> Vec<&'static str> {
    roster_core::ContactStage::ALL.iter().map(|s| s.as_str()).collect()
}

/// What the viewer holds here, by permission id.
pub(crate) async fn holds(state: &AppState, user: &ConsoleUser, account_id: Uuid, p: roster_core::Permission) -> bool {
    let me = user.0.user().id;
    state.service.member(&user.0, account_id, me).await.is_ok_and(|m| m.is_owner || m.permissions.contains(p))
}

/// `GET /accounts/{id}/contacts`
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(mut q): Query<ListQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let filters = state.service.saved_filters(&user.0, account_id).await.map_err(fail(&user))?;
    if let Some(f) = filters.iter().find(|f| f.id.to_string() == q.filter) {
        let take = |v: &Option<String>| v.clone().unwrap_or_default();
        q.q = take(&f.query.q);
        q.kind = take(&f.query.kind);
        q.stage = take(&f.query.stage);
        q.tag = take(&f.query.tag);
        q.hidden = take(&f.query.hidden);
    }
    let params = q.params();
    let (items, next, total, error) = match state.service.list_contacts(&user.0, account_id, &params).await {
        Ok(page) => {
            let total = state.service.count_contacts(&user.0, account_id, &params).await.ok();
            (page.items, page.next_cursor.map(|c| q.href(account_id, &c)), total, None)
        }
        Err(roster_service::ServiceError::Invalid(e)) => {
            let field = e.first_field().unwrap_or("").to_owned();
            (Vec::new(), None, None, Some(format!("{field}: {}", e.get(&field).unwrap_or(""))))
        }
        Err(e) => return Err(fail(&user)(e)),
    };
    let export_href = q.href(account_id, "").replacen("/contacts?", "/contacts.csv?", 1).replacen(
        "/accounts/",
        "/api/v1/accounts/",
        1,
    );
    let notice = match q.done.as_str() {
        "deleted" => Some("Contact deleted."),
        "filter" => Some("Filter saved."),
        _ => None,
    };
    let page = ListPage {
        nav,
        account_id,
        items,
        total,
        next,
        kinds: kinds(),
        stages: stages(),
        filters,
        may_save: holds(&state, &user, account_id, roster_core::Permission::FiltersSave).await,
        may_edit: holds(&state, &user, account_id, roster_core::Permission::ContactsEdit).await,
        export_href,
        error,
        notice,
        q,
    };
    Ok(page.into_response())
}

/// `POST /accounts/{id}/contacts/filters`: saves the list's current filters under a name.
pub async fn save_filter(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    user.check_csrf(field(&pairs, "csrf"))?;
    let account_id = path_id(&account_id)?;
    let f = |k: &str| some(field(&pairs, k));
    let query = ContactListParams {
        q: f("q"),
        kind: f("type"),
        stage: f("stage"),
        tag: f("tag"),
        hidden: f("hidden"),
        ..ContactListParams::default()
    };
    let input = FilterInput { name: Some(field(&pairs, "name").to_owned()), query: Some(query) };
    let saved = state.service.create_saved_filter(&user.0, account_id, &input, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/contacts?filter={}&done=filter", saved.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "records/contacts/pipeline.html")]
pub struct PipelinePage {
    nav: Nav,
    account_id: Uuid,
    columns: Vec<(PipelineColumn, Vec<ContactView>)>,
}

/// `GET /accounts/{id}/contacts/pipeline`: each stage's count and its first contacts by name.
pub async fn pipeline(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let counts = state
        .service
        .contact_pipeline(&user.0, account_id, &ContactListParams::default())
        .await
        .map_err(fail(&user))?;
    let mut columns = Vec::new();
    for c in counts {
        let params = ContactListParams {
            stage: Some(c.stage.as_str().to_owned()),
            limit: Some(20),
            ..ContactListParams::default()
        };
        let page = state.service.list_contacts(&user.0, account_id, &params).await.map_err(fail(&user))?;
        columns.push((c, page.items));
    }
    Ok(PipelinePage { nav, account_id, columns }.into_response())
}
